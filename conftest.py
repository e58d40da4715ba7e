# Patch first: an SQLAlchemy engine or kombu connection made before the patch
# blocks the eventlet hub ("cannot wait on un-acquired lock", hangs in
# drain_events). pytest imports this file before any test module.
import warnings

with warnings.catch_warnings():
    # eventlet announces its maintenance mode on import; nameko 2 needs it
    warnings.simplefilter("ignore")
    import eventlet

eventlet.monkey_patch()
