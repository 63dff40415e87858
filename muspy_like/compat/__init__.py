"""MusPy compatibility: MusPy's names and habits as a thin layer over muspy_like's own API.

Code written for MusPy runs by changing its import to ``import muspy_like as muspy``. Nothing here is a
second core: MusPy's object-per-note views are the live views of our note columns, and MusPy's functions
delegate to ours, translating arguments where MusPy names or defaults differ. Where MusPy's behaviour is a
bug, we keep ours and say so in ``docs/migration.md``.

What lives where
----------------
:mod:`~muspy_like.compat.base`
    The object methods MusPy gives every class (``from_dict``, ``to_ordered_dict``, ``fix_type``,
    ``validate_type``, ``remove_invalid``, ``adjust_time``...) and the shortcuts of ``Music``
    (``music.write_midi``, ``music.to_pretty_midi``...). The core classes inherit them.
:mod:`~muspy_like.compat.objects`
    Their implementation, derived from the field declarations of the core classes.
:mod:`~muspy_like.compat.io`
    MusPy's reader and writer signatures (``kind=``, ``backend=``, ``load_json``...) and
    ``to_object`` / ``from_object``.
:mod:`~muspy_like.compat.representations`, :mod:`~muspy_like.compat.event_sequences`
    MusPy's representation functions and processors, with MusPy's defaults and token layout.
:mod:`~muspy_like.compat.barlines`, :mod:`~muspy_like.compat.schemas`, :mod:`~muspy_like.compat.audio`,
:mod:`~muspy_like.compat.visualization`, :mod:`~muspy_like.compat.datasets`, :mod:`~muspy_like.compat.utils`
    The rest of MusPy's public surface.
:mod:`~muspy_like.compat.names`
    Which MusPy name at the top level of ``muspy`` comes from where (``muspy_like.__getattr__`` reads it,
    so ``import muspy_like`` stays light).

This package imports only the standard library at import time.
"""
