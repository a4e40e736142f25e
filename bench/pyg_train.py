"""PyTorch Geometric peer for bench/train: the same architecture, data, split and optimiser as
wfad's TypeScript trainer, timed on this CPU. Benchmark only; the product never runs Python.

Reads the dataset that bench/train.ts exports (a JSON header + raw little-endian arrays), trains
GCN(F->64) -> ReLU -> GCN(64->64) -> ReLU -> global_mean_pool -> Linear(64,64) -> ReLU -> Linear(64,C)
with Adam (lr 1e-3) and the batch size given; each epoch trains, then scores the validation split;
early stopping on validation accuracy (patience as given, best weights kept, at most `epochs`), as
wfad's trainer does. Prints one JSON line of timings.
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn
from torch_geometric.data import Data
from torch_geometric.loader import DataLoader
from torch_geometric.nn import GCNConv, global_mean_pool


class Net(nn.Module):
    def __init__(self, f, hidden, classes):
        super().__init__()
        self.conv1 = GCNConv(f, hidden)
        self.conv2 = GCNConv(hidden, hidden)
        self.lin1 = nn.Linear(hidden, hidden)
        self.lin2 = nn.Linear(hidden, classes)

    def forward(self, x, edge_index, batch):
        h = torch.relu(self.conv1(x, edge_index))
        h = torch.relu(self.conv2(h, edge_index))
        g = global_mean_pool(h, batch)
        return self.lin2(torch.relu(self.lin1(g)))


def accuracy(model, loader):
    model.eval()
    correct = n = 0
    with torch.no_grad():
        for batch in loader:
            correct += int((model(batch.x, batch.edge_index, batch.batch).argmax(1) == batch.y).sum())
            n += batch.num_graphs
    return correct / max(n, 1)


def main(path, epochs, batch_size, threads, patience):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    head = json.load(open(path + ".json"))
    raw = open(path + ".bin", "rb").read()
    def arr(name, dtype):
        o, n = head["arrays"][name]
        return np.frombuffer(raw, dtype=dtype, count=n, offset=o)
    x = arr("x", np.float32).reshape(-1, head["numFeatures"])
    node_ptr, edge_ptr = arr("nodePtr", np.int32), arr("edgePtr", np.int32)
    src, dst = arr("src", np.int32), arr("dst", np.int32)
    y, split = arr("y", np.int32), arr("split", np.uint8)
    graphs = {0: [], 1: [], 2: []}
    for g in range(len(y)):
        a, b = node_ptr[g], node_ptr[g + 1]
        ea, eb = edge_ptr[g], edge_ptr[g + 1]
        ei = torch.from_numpy(np.stack([src[ea:eb], dst[ea:eb]]).astype(np.int64))
        graphs[int(split[g])].append(Data(x=torch.from_numpy(x[a:b].copy()), edge_index=ei, y=torch.tensor([int(y[g])])))
    model = Net(head["numFeatures"], 64, head["numClasses"])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(graphs[0], batch_size=batch_size, shuffle=True)
    test_loader = DataLoader(graphs[2], batch_size=1024)
    val_loader = DataLoader(graphs[1], batch_size=1024)
    epoch_times = []
    epoch_cpu = []  # CPU seconds of all threads
    best = (-1.0, 0, None, 0.0)  # val accuracy, epoch, weights, seconds since start
    t_start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        c0 = time.process_time()
        model.train()
        for batch in loader:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(batch.x, batch.edge_index, batch.batch), batch.y)
            loss.backward()
            opt.step()
        val = accuracy(model, val_loader)
        epoch_times.append(time.perf_counter() - t0)
        epoch_cpu.append(time.process_time() - c0)
        if val > best[0]:
            best = (val, epoch, {k: v.clone() for k, v in model.state_dict().items()}, time.perf_counter() - t_start)
        elif epoch - best[1] >= patience:
            break
    total = time.perf_counter() - t_start
    model.load_state_dict(best[2])
    print(json.dumps({
        "torch": torch.__version__, "threads": threads, "batchSize": batch_size,
        "secondsPerEpoch": float(np.median(epoch_times)), "cpuSecondsPerEpoch": float(np.median(epoch_cpu)), "epochs": len(epoch_times), "bestEpoch": best[1],
        "seconds": total, "secondsToBest": best[3], "testAccuracy": accuracy(model, test_loader),
    }))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
