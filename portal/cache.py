"""A Redis cache that fails open: with Redis down, reads miss and writes are dropped, nothing raises.

The cache only holds allauth's rate-limit counters; a Redis outage must not turn the login page
into a 500. While Redis is down rate limits are not enforced (logged as a warning each time).
"""

import logging

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("portal.cache")


def _errors():
    from redis.exceptions import ConnectionError, TimeoutError

    return (ConnectionError, TimeoutError, OSError)


def _fail_open(name, default):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(FailOpenRedisCache, self), name)(*args, **kwargs)
        except _errors() as error:
            logger.warning("event=cache_unavailable op=%s error=%r", name, error)
            return default() if callable(default) else default

    method.__name__ = name
    return method


class FailOpenRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except _errors() as error:
            logger.warning("event=cache_unavailable op=get error=%r", error)
            return default

    set = _fail_open("set", None)
    # allauth takes a lock with add(); with Redis down the lock is "taken" so the login goes on.
    add = _fail_open("add", True)
    delete = _fail_open("delete", False)
    touch = _fail_open("touch", False)
    incr = _fail_open("incr", 0)
    has_key = _fail_open("has_key", False)
    get_many = _fail_open("get_many", dict)
    set_many = _fail_open("set_many", list)
    delete_many = _fail_open("delete_many", None)
    clear = _fail_open("clear", False)
