"""The gateway gives back the memory each password hash borrowed."""

import subprocess
import sys
import textwrap

HASH_SIXTY_PASSWORDS_AT_ONCE = textwrap.dedent("""
    import eventlet
    eventlet.monkey_patch()
    from services.gateway import auth

    pool = eventlet.GreenPool()
    list(pool.imap(auth.hash_password, [f"password-{i}" for i in range(60)]))
    status = open("/proc/self/status").read()
    print(next(line for line in status.splitlines() if line.startswith("VmRSS")))
""")


def test_hashing_many_passwords_at_once_leaves_the_gateway_small():
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", HASH_SIXTY_PASSWORDS_AT_ONCE],
        capture_output=True,
        text=True,
        check=True,
    )

    resident_mb = int(done.stdout.split()[-2]) // 1024
    # 20 tpool threads each keeping a 19 MiB argon2 block made ~480 MB
    assert resident_mb < 150
