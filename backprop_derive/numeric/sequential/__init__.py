"""Networks that are a sequence of layers of any kind (LeNet-5, an RNN, an embedding classifier).

``spec`` the record and its TOML form; ``program`` the numpy module ``derive codegen`` writes (the
kernels' own source, then straight-line forward, loss and gradients) and executes; ``references``
PyTorch, autograd and finite differences on the bindings.  The proof is ``backprop_derive.network.sequential``.
"""
