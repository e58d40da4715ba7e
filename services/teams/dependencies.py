"""The teams service's own dependency: the keyed hash for ID-card numbers."""

from nameko.exceptions import ConfigurationError
from nameko.extensions import DependencyProvider

from services.teams import idcard

ID_CARD_SECRET_KEY = "ID_CARD_HMAC_SECRET"


class IdCardHasher(DependencyProvider):
    """The keyed hash for ID-card numbers, with the secret from config."""

    def setup(self):
        secret = self.container.config.get(ID_CARD_SECRET_KEY)
        if not secret:
            raise ConfigurationError(f"{ID_CARD_SECRET_KEY} must be set")
        self.hasher = idcard.Hasher(secret)

    def get_dependency(self, worker_ctx):
        return self.hasher
