"""`StrEnum`, built without the `enum` module.

Why: the agent hook's codex path needs seven small string enums (a finding's severity, a stdin's
kind, a codex subcommand...), and `import enum` brings `functools`, `collections`, `reprlib`,
`keyword` and `types` with it: about 3.5 ms of a 23 ms check on a 2-core machine, before the
first enum class is built (each costs another ~0.1 ms in EnumType). Here a class statement is one
small metaclass call.

Same behaviour as `enum.StrEnum` for what the package does with them: members are instances of
their class and of `str` (equal to, hashing and sorting as, their value), `Cls(value)` and
`Cls[name]` find a member (ValueError / KeyError otherwise), iteration and `len` in definition
order, `member.name` / `member.value` (a plain str), `str()` and `format()` give the value, the
stdlib's repr, `pickle` and `copy` give the same member back, a second name for a value is an
alias of the first member, members cannot be reassigned. A member is every class attribute whose
name does not start with `_` and whose value is a `str`; methods and properties stay what they
are. mypy reads the stdlib's class (the TYPE_CHECKING branch), so its enum plugin types them.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: this module is on the hook's import path
if TYPE_CHECKING:
    from enum import StrEnum as StrEnum  # re-exported: mypy types the members
else:

    class _StrEnumType(type):
        def __new__(mcls, name, bases, namespace):
            values = {
                key: value
                for key, value in namespace.items()
                if not key.startswith("_") and type(value) is str
            }
            body = {key: value for key, value in namespace.items() if key not in values}
            cls = super().__new__(mcls, name, bases, body)
            by_value = {}
            by_name = {}
            for key, value in values.items():
                member = by_value.get(value)
                if member is None:
                    member = str.__new__(cls, value)
                    member._name_ = key
                    member._value_ = value
                    by_value[value] = member
                by_name[key] = member
            type.__setattr__(cls, "_member_map_", by_name)
            type.__setattr__(cls, "_member_list_", tuple(by_value.values()))
            type.__setattr__(cls, "_value2member_map_", by_value)
            for key, member in by_name.items():
                type.__setattr__(cls, key, member)
            return cls

        def __call__(cls, value):
            try:
                return cls._value2member_map_[value]
            except (KeyError, TypeError):
                raise ValueError(f"{value!r} is not a valid {cls.__qualname__}") from None

        def __getitem__(cls, name):
            return cls._member_map_[name]

        def __iter__(cls):
            return iter(cls._member_list_)

        def __reversed__(cls):
            return reversed(cls._member_list_)

        def __len__(cls):
            return len(cls._member_list_)

        def __contains__(cls, value):
            try:
                return isinstance(value, cls) or value in cls._value2member_map_
            except TypeError:  # an unhashable value is no member's
                return False

        @property
        def __members__(cls):
            return dict(cls._member_map_)

        def __setattr__(cls, name, value):
            if name in cls.__dict__.get("_member_map_", ()):
                raise AttributeError(f"cannot reassign member {name!r}")
            super().__setattr__(name, value)

        def __delattr__(cls, name):
            if name in cls.__dict__.get("_member_map_", ()):
                raise AttributeError(f"cannot delete member {name!r}")
            super().__delattr__(name)

        def __repr__(cls):
            return f"<enum {cls.__name__!r}>"

    class StrEnum(str, metaclass=_StrEnumType):
        """Base of string enums; subclasses list their members as `NAME = "value"`."""

        @property
        def name(self):
            return self._name_

        @property
        def value(self):
            return self._value_

        def __str__(self):
            return self._value_

        def __format__(self, spec):
            return self._value_.__format__(spec)

        def __repr__(self):
            return f"<{type(self).__name__}.{self._name_}: {self._value_!r}>"

        def __reduce_ex__(self, protocol):
            return type(self), (self._value_,)

        def __copy__(self):
            return self

        def __deepcopy__(self, memo):
            return self

        __hash__ = str.__hash__
