"""`dataclass`, `field` and `replace` that build the same classes as the stdlib's, cheaply.

Why: the agent hook imports the engine on every command that mentions codex, and the engine's
~55 dataclasses cost more than the rest of the check. The stdlib decorator compiles one function
per method, calls `inspect.signature` for a docstring and, for `slots=True`, builds the class
twice: ~0.6 ms a class on a loaded 2-core machine, plus ~14 ms to import `dataclasses` itself
(`inspect`, `ast`, `dis`, `tokenize`). Here one `exec` per class builds `__init__`; `__eq__`,
`__hash__`, `__repr__` and the frozen `__setattr__` are closures over an `attrgetter`.

Same behaviour as `@dataclasses.dataclass(frozen=..., slots=...)`: the `__init__` signature
(defaults, `default_factory`, `init=False`, `__post_init__`), field order, `__eq__` (same class,
compare fields as a tuple), `__hash__` (the stdlib's hash table: added for frozen classes, None for
mutable ones, an explicit one kept), `__repr__` (qualified name, recursion-safe), frozen
assignment raising `dataclasses.FrozenInstanceError`, `__slots__`, pickling of frozen slotted
classes, `__match_args__`. `__dataclass_fields__` and `__dataclass_params__` are built on first
access by the stdlib decorator on a shadow class, so `dataclasses.fields`, `asdict`,
`is_dataclass` and `dataclasses.replace` work on these classes as on any dataclass. Anything
else (inheritance, ClassVar/InitVar/KW_ONLY, other decorator options) is handed to the stdlib
decorator unchanged: slower, never different.

mypy reads the stdlib's own names (the TYPE_CHECKING branch), so its dataclass plugin types
these classes exactly as before.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: this module is on the hook's import path
if TYPE_CHECKING:
    from collections.abc import Callable
    from dataclasses import dataclass, field, replace
    from typing import TypeVar

    _T = TypeVar("_T")

    def maker(cls: type[_T]) -> Callable[..., _T]:
        return cls

else:
    import sys
    from _thread import get_ident
    from operator import attrgetter

    _MISSING = object()
    _SUPPORTED_OPTIONS = frozenset({"frozen", "slots"})
    _STDLIB_ONLY_WORDS = ("ClassVar", "InitVar", "KW_ONLY")

    class _Field:
        """What `field(...)` records until the decorator reads it (the used options only)."""

        __slots__ = ("compare", "default", "default_factory", "hash", "init", "repr")

        def __init__(self, default, default_factory, init, repr, compare, hash):
            if default is not _MISSING and default_factory is not _MISSING:
                raise ValueError("cannot specify both default and default_factory")
            self.default = default
            self.default_factory = default_factory
            self.init = init
            self.repr = repr
            self.compare = compare
            self.hash = hash

    _REQUIRED = _Field(_MISSING, _MISSING, True, True, True, None)  # never changed: shared

    def field(
        *,
        default=_MISSING,
        default_factory=_MISSING,
        init=True,
        repr=True,
        hash=None,
        compare=True,
        **others,
    ):
        """`dataclasses.field` for default, default_factory, init, repr, hash and compare; any
        other option (metadata, kw_only) builds a real `dataclasses.Field`, whose class then
        goes to the stdlib decorator."""
        if others:
            import dataclasses

            options = {"default": default, "default_factory": default_factory}
            options = {k: v for k, v in options.items() if v is not _MISSING}
            return dataclasses.field(
                **options, init=init, repr=repr, hash=hash, compare=compare, **others
            )
        return _Field(default, default_factory, init, repr, compare, hash)

    def dataclass(cls=None, /, **options):
        """`@dataclass`, `@dataclass(frozen=True)`, `@dataclass(frozen=True, slots=True)`..."""

        def wrap(cls):
            return _process(cls, options)

        return wrap if cls is None else wrap(cls)

    def replace(obj, /, **changes):
        """`dataclasses.replace`: a new object of the same class with `changes`."""
        plan = type(obj).__dict__.get("__fastclass_replace__")
        if plan is None:
            import dataclasses

            return dataclasses.replace(obj, **changes)
        init_names, other_names, values = plan
        for name in other_names:
            if name in changes:
                raise ValueError(
                    f"field {name} is declared with init=False, it cannot be specified with "
                    "replace()"
                )
        try:  # every field read in one C call (a Snippet has 26), then the changes over them
            fields = dict(zip(init_names, values(obj), strict=True))
        except AttributeError:  # a field left unset (an __init__ of its own): as the stdlib
            fields = {name: getattr(obj, name) for name in init_names if name not in changes}
        fields.update(changes)
        return obj.__class__(**fields)

    def maker(cls):
        """A function that builds an object of ``cls`` from every field's value in order, as
        ``cls(*values)`` builds it, cheaper: for the few classes built hundreds of times a file
        (a Span, a Word). A frozen slotted class whose fields are all set by `__init__` and
        that has no `__post_init__` and no `__x` field gets an object of its open twin, filled
        with plain stores and switched to ``cls`` (no `__init__` call, no slot `__set__` calls:
        ~0.55 of the cost at 4 fields); any other class is its own maker."""
        init = cls.__dict__.get("__init__")
        plan = cls.__dict__.get("__fastclass_replace__")
        scope = getattr(init, "__globals__", None)
        if plan is None or scope is None or scope.get("_dc_cls") is not cls:
            return cls  # not a frozen slotted class built here
        init_names, other_names, _values = plan
        if other_names or "__post_init__" in cls.__dict__:
            return cls
        if any(name.startswith("__") for name in init_names):
            return cls
        while scope.get("_dc_open") is None:  # (made at once: objects will be built)
            scope["_dc_open_class"]()
        params = ", ".join(init_names)
        lines = [f"    self.{name} = {name}" for name in init_names]
        source = (
            f"def make({params}):\n    self = _dc_open()\n"
            + "\n".join(lines)
            + "\n    self.__class__ = _dc_cls\n    return self\n"
        )
        made = {"_dc_open": scope["_dc_open"], "_dc_cls": cls}
        exec(_compiled(source), made)  # our own text, built from field names
        make = made["make"]
        make.__qualname__ = f"{cls.__qualname__}.<maker>"
        make.__module__ = cls.__module__
        return make

    def _stdlib(cls, options):
        import dataclasses

        return dataclasses.dataclass(cls, **options)

    def _process(cls, options):
        if not _SUPPORTED_OPTIONS.issuperset(options) or cls.__bases__ != (object,):
            return _stdlib(cls, options)
        namespace = cls.__dict__
        annotations = namespace.get("__annotations__", {})  # not inspect: not on the hook path
        # One test for the class, not three a field (~56 classes on the hook's codex path).
        texts = "\0".join(a if isinstance(a, str) else repr(a) for a in annotations.values())
        if any(word in texts for word in _STDLIB_ONLY_WORDS):
            return _stdlib(cls, options)
        specs = []
        for name in annotations:
            value = namespace.get(name, _MISSING)
            if value is _MISSING:
                value = _REQUIRED
            elif not isinstance(value, _Field):
                if hasattr(value, "__set_name__") or type(value).__name__ == "Field":
                    return _stdlib(cls, options)  # a descriptor or a dataclasses.Field
                if isinstance(value, (list, dict, set)):
                    return _stdlib(cls, options)  # the stdlib's ValueError, word for word
                value = _Field(value, _MISSING, True, True, True, None)
            specs.append((name, value))
        try:
            return _build(cls, specs, bool(options.get("frozen")), bool(options.get("slots")))
        except SyntaxError:  # a field without a default after one with: the stdlib's TypeError
            return _stdlib(cls, options)

    def _build(cls, specs, frozen, slots):
        names = tuple([name for name, _ in specs])
        init_names, other_names, compared, hashed, shown = [], [], [], [], []
        for name, spec in specs:  # one pass (the classes are built on every hook start)
            (init_names if spec.init else other_names).append(name)
            if spec.compare:
                compared.append(name)
            if spec.compare if spec.hash is None else spec.hash:
                hashed.append(name)
            if spec.repr:
                shown.append(name)
        init_names, other_names = tuple(init_names), tuple(other_names)
        compared, hashed, shown = tuple(compared), tuple(hashed), tuple(shown)
        body = dict(cls.__dict__)
        owner = []  # the final class (slots=True makes a new one), for the closures below
        new = {}
        new["__init__"] = init = _init_fn(cls, specs, frozen, slots)
        new["__repr__"] = _repr_fn(shown)
        new["__eq__"] = _eq_fn(_tuple_getter(compared))
        for name, method in new.items():
            if name not in body:
                method.__qualname__ = f"{cls.__qualname__}.{name}"
                body[name] = method
        class_hash = cls.__dict__.get("__hash__", _MISSING)
        explicit_hash = not (
            class_hash is _MISSING or (class_hash is None and "__eq__" in cls.__dict__)
        )
        if not explicit_hash:
            body["__hash__"] = _hash_fn(_tuple_getter(hashed)) if frozen else None
        if frozen:
            if "__setattr__" in body or "__delattr__" in body:
                raise TypeError(f"Cannot overwrite attribute __setattr__ in class {cls.__name__}")
            body["__setattr__"], body["__delattr__"] = _frozen_fns(owner, frozenset(names))
        body.setdefault("__match_args__", init_names)
        body["__fastclass_replace__"] = (init_names, other_names, _tuple_getter(init_names))
        body["__dataclass_fields__"] = _LazyInfo(0, specs, frozen)
        body["__dataclass_params__"] = _LazyInfo(1, specs, frozen)
        if not body.get("__doc__"):
            body["__doc__"] = f"{cls.__name__}({', '.join(init_names)})"
        for name, spec in specs:
            if slots or spec.default is _MISSING:
                body.pop(name, None)
            else:
                body[name] = spec.default
        if slots:
            body["__slots__"] = names
            body.pop("__dict__", None)
            body.pop("__weakref__", None)
            if frozen:
                body["__getstate__"], body["__setstate__"] = _state_fns(names)
            result = type(cls)(cls.__name__, cls.__bases__, body)
            result.__qualname__ = cls.__qualname__
        else:
            for name, value in body.items():
                if cls.__dict__.get(name, _MISSING) is not value:
                    setattr(cls, name, value)
            for name, spec in specs:
                if spec.default is _MISSING and isinstance(cls.__dict__.get(name), _Field):
                    delattr(cls, name)
            result = cls
        owner.append(result)
        if frozen and slots:  # the slots' own setters, for `_init_fn`'s lines
            for name in names:
                init.__globals__[f"_dc_s_{name}"] = result.__dict__[name].__set__
            init.__globals__["_dc_cls"] = result
            init.__globals__["_dc_open_class"] = _open_class_maker(init.__globals__, result, names)
        return result

    # A frozen slotted class of at least this many fields set by `__init__` is filled through
    # its open twin (`_init_fn`): below it the two class switches cost more than they save.
    _OPEN_MIN_FIELDS = 5

    def _open_class_maker(scope, cls, names):
        """What makes ``cls``'s open twin once a second object is built: a class with the same
        slots and no `__setattr__` of its own (so the same layout, and `__class__` may switch
        between the two), kept in the `__init__`'s globals as `_dc_open`. Made then, not with
        the class: most classes are built once or never in a run, and a class costs ~0.03 ms
        (the agent hook's start-up builds ~55)."""
        built = []

        def make():
            if not built:
                built.append(cls)
                return
            body = {"__slots__": names, "__module__": cls.__module__}
            body["__qualname__"] = f"{cls.__qualname__}.<open>"
            scope["_dc_open"] = type(cls.__name__, (object,), body)

        return make

    def _init_fn(cls, specs, frozen, slots=False):
        """One compiled `__init__`, as the stdlib writes it (defaults bound as globals). A frozen
        slotted class sets each field through its slot's own `__set__` (bound in `_build` once
        the class exists): what `object.__setattr__` ends up calling, without its name lookup
        and checks, about a third cheaper (the engine builds thousands of these a file). One
        of _OPEN_MIN_FIELDS fields or more is filled as an object of its open twin, with plain
        stores (~0.4 of the cost at 16 fields: a Command, a Context)."""
        scope = {"_dc_missing": _MISSING, "_dc_set": object.__setattr__, "_dc_type": type}
        scope["_dc_open"] = None  # the open twin, made on the first object (`_build`)
        params, lines, open_lines = [], [], []
        for name, spec in specs:
            if spec.default_factory is not _MISSING:
                scope[f"_dc_f_{name}"] = spec.default_factory
                if spec.init:
                    params.append(f"{name}=_dc_missing")
                    value = f"_dc_f_{name}() if {name} is _dc_missing else {name}"
                else:
                    value = f"_dc_f_{name}()"
            elif spec.default is not _MISSING:
                scope[f"_dc_d_{name}"] = spec.default
                params.append(f"{name}=_dc_d_{name}" if spec.init else "")
                value = name if spec.init else f"_dc_d_{name}"
            elif spec.init:
                params.append(name)
                value = name
            else:
                continue  # init=False, no default: __post_init__ (or nobody) sets it
            if frozen and slots:
                lines.append(f"    _dc_s_{name}(self, {value})")
                open_lines.append(f"        self.{name} = {value}")
            elif frozen:
                lines.append(f"    _dc_set(self, {name!r}, {value})")
            else:
                lines.append(f"    self.{name} = {value}")
        if len(open_lines) >= _OPEN_MIN_FIELDS and not any(n.startswith("__") for n, _ in specs):
            # Each slot's `__set__` is a call that packs and unpacks its arguments; an object of
            # the open twin (same slots, no frozen `__setattr__`) takes a plain store a field.
            # So the object is switched to the twin, filled, and switched back, unless it is
            # of a subclass (whose layout may differ) or the twin is still to be made.
            lines = [
                "    if _dc_open is not None and _dc_type(self) is _dc_cls:",
                '        _dc_set(self, "__class__", _dc_open)',
                *open_lines,
                "        self.__class__ = _dc_cls",
                "    else:",
                *(f"    {line}" for line in lines),
                "        if _dc_open is None and _dc_type(self) is _dc_cls:",
                "            _dc_open_class()",
            ]
        if "__post_init__" in cls.__dict__:
            lines.append("    self.__post_init__()")
        signature = ", ".join(["self", *(p for p in params if p)])
        source = f"def __init__({signature}):\n" + ("\n".join(lines) or "    pass") + "\n"
        exec(_compiled(source), scope)  # our own text, built from field names
        init = scope["__init__"]
        init.__module__ = cls.__module__
        return init

    # Compiled `__init__` texts by text, kept between runs in a private cache file (0600 in a
    # 0700 folder of this user, checked on read: guard/runtime/private.py), so that a run
    # compiles only the classes whose fields changed. A code object is exactly what compiling
    # its text gives, for this interpreter build: the file is tied to `sys.version`.
    _CODE_FILE_PART = "fastclass"
    _MAX_CODES = 400
    _codes = None
    _used = set()
    _fresh = []

    def _compiled(source):
        global _codes
        if _codes is None:
            _codes = _read_codes()
        _used.add(source)
        code = _codes.get(source)
        if code is None:
            code = compile(source, "<fastclass>", "exec")
            _codes[source] = code
            if not _fresh:
                import atexit

                atexit.register(_write_codes)
            _fresh.append(source)
        return code

    def _codes_path():
        import os

        from guard.cachedir import cache_dir

        name = f"init-{sys.implementation.cache_tag}.marshal"
        return os.path.join(cache_dir(_CODE_FILE_PART), name)

    def _read_codes():
        try:
            import marshal

            from guard.runtime.private import read_private

            data = read_private(_codes_path())
            if not data:
                return {}
            header, _, body = data.partition(b"\0")
            if header != sys.version.encode():
                return {}
            codes = marshal.loads(body)
            if isinstance(codes, dict) and all(isinstance(k, str) for k in codes):
                return codes
        except Exception:  # a damaged or foreign file is a miss: compile, as with no file
            pass
        return {}

    def _write_codes():
        try:
            import marshal

            from guard.runtime.private import write_private

            codes = dict(_codes or {})
            if len(codes) > _MAX_CODES:  # stale texts of edited classes: keep this run's
                codes = {k: v for k, v in codes.items() if k in _used}
            write_private(_codes_path(), sys.version.encode() + b"\0" + marshal.dumps(codes))
        except Exception:  # a cache that cannot be written costs the next run a compile
            pass

    def _tuple_getter(names):
        if len(names) == 1:
            one = attrgetter(names[0])
            return lambda obj: (one(obj),)
        if not names:
            return lambda obj: ()
        return attrgetter(*names)

    def _eq_fn(key):
        def __eq__(self, other):
            if other.__class__ is self.__class__:
                return key(self) == key(other)
            return NotImplemented

        return __eq__

    def _hash_fn(key):
        def __hash__(self):
            return hash(key(self))

        return __hash__

    _repr_running = set()

    def _repr_fn(names):
        def __repr__(self):
            key = (id(self), get_ident())
            if key in _repr_running:
                return "..."
            _repr_running.add(key)
            try:
                shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
            finally:
                _repr_running.discard(key)
            return f"{self.__class__.__qualname__}({shown})"

        return __repr__

    def _frozen_error(name):
        from dataclasses import FrozenInstanceError

        return FrozenInstanceError(f"cannot assign to field {name!r}")

    def _frozen_fns(owner, names):
        def __setattr__(self, name, value):
            cls = owner[0]
            if type(self) is cls or name in names:
                raise _frozen_error(name)
            super(cls, self).__setattr__(name, value)

        def __delattr__(self, name):
            cls = owner[0]
            if type(self) is cls or name in names:
                from dataclasses import FrozenInstanceError

                raise FrozenInstanceError(f"cannot delete field {name!r}")
            super(cls, self).__delattr__(name)

        return __setattr__, __delattr__

    def _state_fns(names):
        """Pickling of a frozen slotted class, as the stdlib's (a list of the field values)."""

        def __getstate__(self):
            return [getattr(self, name) for name in names]

        def __setstate__(self, state):
            for name, value in zip(names, state, strict=False):
                object.__setattr__(self, name, value)

        return __getstate__, __setstate__

    class _LazyInfo:
        """`__dataclass_fields__` / `__dataclass_params__`, made by the stdlib decorator on a
        shadow class with the same fields the first time anyone asks, then stored on the class."""

        def __init__(self, which, specs, frozen):
            self.which = which
            self.specs = specs
            self.frozen = frozen

        def __get__(self, obj, owner):
            import dataclasses

            body = {
                "__annotations__": dict(owner.__dict__.get("__annotations__", {})),  # noqa: RUF063
                "__module__": owner.__module__,
                "__qualname__": owner.__qualname__,
            }
            for name, spec in self.specs:
                options = {"default": spec.default, "default_factory": spec.default_factory}
                options = {k: v for k, v in options.items() if v is not _MISSING}
                body[name] = dataclasses.field(
                    **options,
                    init=spec.init,
                    repr=spec.repr,
                    hash=spec.hash,
                    compare=spec.compare,
                )
            shadow = dataclasses.dataclass(type(owner.__name__, (), body), frozen=self.frozen)
            fields, params = shadow.__dataclass_fields__, shadow.__dataclass_params__
            type.__setattr__(owner, "__dataclass_fields__", fields)
            type.__setattr__(owner, "__dataclass_params__", params)
            return (fields, params)[self.which]


__all__ = ["dataclass", "field", "maker", "replace"]
