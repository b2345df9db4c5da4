"""Errors services raise for requests that cannot be honoured (stale or forged input)."""


class ServiceError(Exception):
    """Base class: the request cannot be carried out; nothing was changed."""


class NotFound(ServiceError):
    """The thing asked for does not exist (any more): e.g. an old button."""


class NotAllowed(ServiceError):
    """The thing exists but belongs to someone else."""
