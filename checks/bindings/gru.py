"""gru in every framework, in its kernel's layout: see :mod:`checks.bindings.recurrent`."""

from checks.bindings.recurrent import bindings

BINDINGS = bindings("gru")
