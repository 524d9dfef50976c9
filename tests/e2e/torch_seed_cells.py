"""The seeds' PyTorch cells as printed (seeds 002 and 003 of the tutorials learners follow), copied into the
repository so that the tests need nothing outside it: the neuron cross-check of seed 002, and seed 003's
PyTorch basics and neuron."""

SEED_002_NEURON = r"""# single two-param neuron backprop in pytorch
import torch
x1 = torch.Tensor([2.0]).double() ; x1.requires_grad = True
x2 = torch.Tensor([0.0]).double() ; x2.requires_grad = True
w1 = torch.Tensor([-3.0]).double() ; w1.requires_grad = True
w2 = torch.Tensor([1.0]).double() ; w2.requires_grad = True
b = torch.Tensor([6.8813735]).double() ; b.requires_grad = True
n = x1*w1 + x2*w2 + b
o = torch.tanh(n)
print(o.data.item())
o.backward()
print('---')
print('x2', x2.grad.item())
print('w2', w2.grad.item())
print('x1', x1.grad.item())
print('w1', w1.grad.item())"""

SEED_003_NEURON = r"""import torch # PyTorch demo: tensors, not scalars

tensor_1 = torch.Tensor([[1, 2, 3], [4, 5, 6]])
print(tensor_1)
print(tensor_1.shape, '\n')

# python default is double precision (64-bit), but PyTorch uses single precision (32-bit)
scalar_1 = torch.Tensor([2.0])
print(scalar_1, scalar_1.dtype)

# cast PyTorch data to uses double precision float
scalar_2 = torch.Tensor([2.0]).double()
print(scalar_2, scalar_2.dtype)"""

SEED_003_TOY_NN = r"""# i - redefine toy NN (leaf nodes, network structure) in PyTorch:
x1 = torch.Tensor([2.0]).double()                ; x1.requires_grad = True
x2 = torch.Tensor([0.0]).double()                ; x2.requires_grad = True
w1 = torch.Tensor([-3.0]).double()               ; w1.requires_grad = True
w2 = torch.Tensor([1.0]).double()                ; w2.requires_grad = True
b = torch.Tensor([6.8813735870195432]).double()  ; b.requires_grad = True
n = x1*w1 + x2*w2 + b
o = torch.tanh(n)

print('forward pass:\no.data.item():', o.data.item())
o.backward()

print('---\nbackward pass (leaf node gradients):')
print('x1.grad.item():', x1.grad.item())
print('w1.grad.item():', w1.grad.item())
print('x2.grad.item():', x2.grad.item())
print('w2.grad.item():', w2.grad.item()) # expand output below"""
