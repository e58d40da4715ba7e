"""The words the synthetic registry is made of.

The five streets and four communities are the real district's; which street
each real community belongs to, and every other community, team and person,
is made up.
"""

STREETS = ("长江路", "福华街", "五里堡", "一马路", "金水源")
REAL_COMMUNITIES = {
    "铁道家园": "长江路",
    "五号街坊": "福华街",
    "万达": "五里堡",
    "建新街": "一马路",
}
COMMUNITY_FIRST = (
    "和平 幸福 阳光 春和 锦绣 长青 新华 东风 光明 红旗 胜利 友谊 团结 兴华 "
    "富民 安居 康乐 永安 福寿 祥和 春晖 丰收 文化 向阳 朝阳 金桥 银河 松林 "
    "桃源 杏林 枫林 翠竹 海棠 玉兰 丁香 紫荆 牡丹 工人 铁西 南湖"
).split()
COMMUNITY_LAST = ("里", "家园", "苑", "街坊", "新村", "花园", "小区", "园")

# the hundred commonest surnames, commonest first
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
    "尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建文辉力鹏飞"
    "斌宇浩凯健俊帆帅旭宁琳晶欣怡婷雪梅莉燕颖倩慧佳玲丹凤云海波峰亮成林志国"
    "春秋冬晓光宏庆德福寿永长振兴利民淑珍彩霞秀凤金凤立新卫东海燕"
)

# what residents order, as the orders service's categories say it
CATEGORIES = (
    "演出",
    "维修",
    "助老",
    "清洁",
    "交通引导",
    "辅导",
    "涂鸦美化",
    "义诊",
    "法律咨询",
    "心理疏导",
    "公益课堂",
    "助残",
    "理发",
)
# professional teams: what they are called after their community, and what
# they offer
SPECIALITIES = (
    ("家电维修服务队", ("维修",)),
    ("水电维修服务队", ("维修",)),
    ("医疗义诊服务队", ("义诊", "助老")),
    ("法律援助服务队", ("法律咨询",)),
    ("心理疏导服务队", ("心理疏导",)),
    ("爱心理发服务队", ("理发", "助老")),
    ("课业辅导服务队", ("辅导",)),
    ("墙绘美化服务队", ("涂鸦美化",)),
    ("助老服务队", ("助老",)),
    ("公益课堂讲师团", ("公益课堂", "辅导")),
    ("助残服务队", ("助残",)),
    ("文艺演出队", ("演出",)),
)
# the district's own troupes, each with its categories and home community
TROUPES = (
    ("俏玫瑰舞蹈队", ("演出",), "铁道家园", "社区广场舞和节日慰问演出"),
    ("书香艺术团", ("演出", "辅导"), "铁道家园", "读书会、朗诵和青少年课业辅导"),
    ("手拉手艺术团", ("演出", "涂鸦美化"), "五号街坊", "文艺汇演和老旧院落墙绘"),
    ("风采模特队", ("演出",), "万达", "模特表演和节日走秀"),
)
# general teams: a theme after the community's name
THEMES = (
    "雷锋 文明 平安巡逻 环保 邻里守望 红马甲 夕阳红 青年 巾帼 党员先锋 "
    "关爱 便民 清洁家园 文明交通 爱心 银发 阳光少年 扶老助残 网格 楼院"
).split()
GENERAL_CATEGORIES = ("清洁", "交通引导", "助老", "辅导", "维修", "演出", "助残")
SKILLS = (
    "舞蹈 声乐 器乐 朗诵 书法 绘画 摄影 家电维修 水电维修 理发 护理 急救 "
    "心理咨询 法律咨询 数学辅导 英语辅导 驾驶 计算机 手工 烹饪 交通引导 "
    "环境清洁 医疗 剪纸 太极拳"
).split()
# the first six digits of the ID cards: made-up divisions of one city
REGIONS = ("210202", "210203", "210204", "210211", "210212", "210213")
