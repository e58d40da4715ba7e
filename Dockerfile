# One image for every service; docker-compose.yml picks the service by command.
FROM python:3.11-slim

# Deprecation notices from the pinned libraries are for developers, not for
# the logs of a running system; unbuffered output reaches `docker compose logs`
# at once instead of when a buffer fills.
ENV PYTHONWARNINGS=ignore::DeprecationWarning \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The services run from here: compose's `nameko run --config
# services/<name>/config.yml` resolves against it.
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY eventing/ eventing/
COPY ops/ ops/
COPY services/ services/

# Non-editable and without the test extras: the image carries what runs.
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --system --user-group --uid 10001 app

# `volunteer-platform migrate` creates ops.settings.VAR, which lies beside the
# installed packages where only root may write, so make it now. -P keeps /app
# off sys.path so that the installed copy of `ops` answers.
RUN var_dir="$(python -P -c 'from ops import settings; print(settings.VAR)')" \
    && mkdir -p "$var_dir" \
    && chown app:app "$var_dir"

USER app

CMD ["volunteer-platform", "--help"]
