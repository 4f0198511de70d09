from django.db import models


class Heartbeat(models.Model):
    """When a background process last showed it works (`worker`, `beat`): read by /healthz in
    the web process, so it lives where every process of either profile can read it."""

    name = models.CharField(max_length=20, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at.isoformat()}"
