"""Pure rules, no I/O: what people may type (`inputs`) and how the queue behaves (`queue`).

Callers use `domain.<name>`; the modules split the rules by what they are about (`estimate`:
the service time behind every wait shown).
"""

from queue_app.domain.estimate import (  # noqa: F401
    FLOOR_SHARE,
    SERVICE_MIN_SAMPLES,
    SERVICE_SAMPLES,
    ServiceEstimate,
    average_service_seconds,
    estimate_basis,
    robust_mean,
    service_estimate,
)
from queue_app.domain.inputs import (  # noqa: F401
    DESCRIPTION_MAX,
    MAX_EMAIL,
    PARTY_MAX,
    PASSWORD_MAX,
    PASSWORD_MIN,
    PERSON_NAME_MAX,
    PHONE_MAX,
    QUEUE_NAME_MAX,
    QUEUES_MAX,
    RAW_MAX,
    SERVICE_MINUTES_MAX,
    STORE_NAME_MAX,
    DomainError,
    Person,
    StoreForm,
    ValidationError,
    clean_line,
    clean_text,
    email_error,
    normalize_email,
    password_error,
    phone_error,
    queue_names_errors,
    raw_password,
    service_minutes_error,
    text_error,
    time_zones,
    timezone_error,
    to_int,
    validate_party,
    validate_store_form,
)
from queue_app.domain.queue import (  # noqa: F401
    ACTIVE,
    FINISHED,
    STATE_LABELS,
    check_transition,
    estimated_wait_seconds,
    format_duration,
    format_wait,
    slugify,
    stamp_times,
    ticket_label,
    ticket_prefixes,
)
