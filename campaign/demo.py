"""The demo campaign's sign-ins, shown on the front page when DEMO_MODE is on (never in production)."""

DEMO_PASSWORD = "groundswell-demo"
DEMO_ACCOUNTS = [
    ("owner@demo.groundswell.test", "owner"),
    ("coordinator@demo.groundswell.test", "coordinator"),
    ("coordinator2@demo.groundswell.test", "coordinator"),
    ("volunteer@demo.groundswell.test", "volunteer"),
]
