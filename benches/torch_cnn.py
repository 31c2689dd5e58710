"""audio_cnn's network in PyTorch, on one thread: the same epoch `benches/cnn.rs` times.

conv 3x3 (1 -> 16, padding 1) -> ReLU -> max-pool 2x2 -> conv 3x3 (16 -> 32, padding 1)
-> ReLU -> max-pool 2x2 -> global average -> dense (32 -> 5), softmax cross-entropy; He
uniform convolutions, Xavier uniform dense layer, zero biases, AdamW (lr 3e-3, weight
decay 0.01). Random data of the example's shapes: 294 training and 52 validation images
of 1 x 40 x 47, batches of 32, shuffled every epoch. Two epochs are timed, as in cnn.rs:

- steps: the training steps alone (forward, backward, AdamW step per batch);
- epoch: the steps, then a forward pass over the training images (accuracy) and over the
  validation images (loss and accuracy), under torch.no_grad() (cadena's `fit` computes
  the validation loss through the gradient function, so it does more work there).

3 warm-up rounds, then 20; the median and the fastest in ms.

    pip install torch numpy
    python3 benches/torch_cnn.py
"""

import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

BANDS, FRAMES, CLASSES, BATCH, ROUNDS = 40, 47, 5, 32, 20


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.dense = nn.Linear(32, CLASSES)
        for conv in (self.conv1, self.conv2):
            nn.init.kaiming_uniform_(conv.weight, nonlinearity="relu")
            nn.init.zeros_(conv.bias)
        nn.init.xavier_uniform_(self.dense.weight)
        nn.init.zeros_(self.dense.bias)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.conv1(x)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        return self.dense(h.mean(dim=(2, 3)))


def data(n):
    x = torch.rand(n, 1, BANDS, FRAMES) * 2 - 1
    y = torch.arange(n) % CLASSES
    return x, y


def steps(net, opt, x, y):
    order = torch.randperm(len(x))
    for i in range(0, len(x), BATCH):
        idx = order[i : i + BATCH]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x[idx]), y[idx])
        loss.backward()
        opt.step()


def evaluate(net, x, y):
    with torch.no_grad():
        correct, total = 0, 0.0
        for i in range(0, len(x), BATCH):
            z = net(x[i : i + BATCH])
            total += F.cross_entropy(z, y[i : i + BATCH], reduction="sum").item()
            correct += (z.argmax(1) == y[i : i + BATCH]).sum().item()
    return total / len(x), correct / len(x)


def timed(name, epoch):
    times = []
    for r in range(3 + ROUNDS):
        start = time.perf_counter()
        epoch()
        if r >= 3:
            times.append(1000 * (time.perf_counter() - start))
    times.sort()
    print(f"{name}: median {times[len(times) // 2]:.1f} ms, fastest {times[0]:.1f} ms per epoch ({ROUNDS} rounds)")


def main():
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread")
    (xt, yt), (xv, yv) = data(294), data(52)
    net = Cnn()
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=0.01)
    timed("steps", lambda: steps(net, opt, xt, yt))

    def epoch():
        steps(net, opt, xt, yt)
        evaluate(net, xt, yt)
        evaluate(net, xv, yv)

    timed("epoch", epoch)


if __name__ == "__main__":
    main()
