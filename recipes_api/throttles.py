"""Fair-use throttling: DRF's scoped rates, counted in the shared cache.

A view opts in with `throttle_scope`; the rates are the settings'
`DEFAULT_THROTTLE_RATES`. Anonymous requests count per client IP (see
`NUM_PROXIES`), signed-in ones per user.
"""

import logging

from redis.exceptions import RedisError
from rest_framework.throttling import ScopedRateThrottle

logger = logging.getLogger(__name__)


class FairUseThrottle(ScopedRateThrottle):
    """ScopedRateThrottle that lets a request through when the cache cannot
    be reached, and logs it.

    The cache is often the broker's Redis. Uploads are accepted while the
    broker is down (the sweep rings later), and sign-in should keep working
    too; during such an outage the per-user in-flight cap, counted in the
    database, still bounds the work queued.
    """

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError):
            logger.warning("the throttle cache cannot be reached; not counting %s", self.scope, exc_info=True)
            return True
