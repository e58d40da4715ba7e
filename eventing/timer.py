"""A nameko timer whose interval comes from the service's config.

nameko's `@timer(interval)` fixes the interval when the class is defined;
tests and deployments need to choose it (fast polls in tests, gentle ones in
production) without touching code.
"""

from nameko.timer import Timer


class ConfiguredTimer(Timer):
    def __init__(self, interval_key, default, **kwargs):
        self.interval_key = interval_key
        # eager: a service that starts fires what came due while it was down
        super().__init__(default, eager=True, **kwargs)

    def setup(self):
        super().setup()
        self.interval = float(
            self.container.config.get(self.interval_key) or self.interval
        )


configured_timer = ConfiguredTimer.decorator
