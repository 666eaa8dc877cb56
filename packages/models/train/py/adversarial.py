"""Adversarial training and evaluation for ConvLab's robust models (used by trainer.py).

All attacks work in the model's input space: NCHW float32 pixels in [0, 1], an L-infinity ball of
radius eps around the clean image, clipped back to [0, 1].

- fgsm_rs: FGSM with a random start (Wong, Rice & Kolter 2020, "Fast is better than free"):
  delta ~ U(-eps, eps), one signed-gradient step of size alpha from there, projected onto the eps ball.
- pgd: projected gradient descent (Madry et al. 2018), `steps` signed-gradient steps of size alpha,
  optionally from a random start, projected after every step.
"""
import torch
import torch.nn.functional as F


def _project(x, delta, eps):
    delta = delta.clamp(-eps, eps)
    return (x + delta).clamp(0.0, 1.0) - x


def fgsm_rs(model, x, y, eps, alpha, generator=None):
    """Adversarial batch by FGSM from a uniform random start in the eps ball (one gradient step)."""
    if eps <= 0:
        return x.detach()
    u = torch.rand(x.shape, generator=generator)
    delta = _project(x, (u * 2 - 1) * eps, eps).requires_grad_(True)
    loss = F.cross_entropy(model(x + delta), y)
    (g,) = torch.autograd.grad(loss, delta)
    delta = _project(x, delta.detach() + alpha * g.sign(), eps)
    return (x + delta).detach()


def pgd(model, x, y, eps, alpha, steps, random_start=True, generator=None):
    """Untargeted L-inf PGD: maximise the cross-entropy within the eps ball, `steps` steps of alpha."""
    if random_start:
        u = torch.rand(x.shape, generator=generator)
        delta = _project(x, (u * 2 - 1) * eps, eps)
    else:
        delta = torch.zeros_like(x)
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = F.cross_entropy(model(x + delta), y)
        (g,) = torch.autograd.grad(loss, delta)
        delta = _project(x, delta.detach() + alpha * g.sign(), eps)
    return (x + delta).detach()


def robust_accuracy(model, images_u8, labels, eps, alpha, steps, batch=500, seed=0, to_input=None):
    """Fraction of images still classified correctly after PGD(eps, alpha, steps, random start).
    Returns (robust accuracy, clean accuracy) over the same images."""
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    y_all = torch.from_numpy(labels.astype('int64'))
    robust = clean = 0
    for s in range(0, len(images_u8), batch):
        x = to_input(images_u8[s:s + batch])
        y = y_all[s:s + batch]
        with torch.no_grad():
            clean += (model(x).argmax(1) == y).sum().item()
        xa = pgd(model, x, y, eps, alpha, steps, random_start=True, generator=gen)
        with torch.no_grad():
            robust += (model(xa).argmax(1) == y).sum().item()
    n = len(images_u8)
    return robust / n, clean / n
