"""Valid bodies of the teams service's commands, for schema tests to vary."""

TEAM = {
    "name": "俏玫瑰舞蹈队",
    "categories": ["演出"],
    "community": "铁道家园",
    "contact_phone": "13800000001",
}
VOLUNTEER = {"name": "李雷", "phone": "13900000001", "community": "铁道家园"}
