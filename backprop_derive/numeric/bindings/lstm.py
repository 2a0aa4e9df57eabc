"""lstm in every framework, in its kernel's layout: see :mod:`backprop_derive.numeric.bindings.recurrent`."""

from backprop_derive.numeric.bindings.recurrent import bindings

BINDINGS = bindings("lstm")
