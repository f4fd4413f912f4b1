#!/usr/bin/env python3
"""Test helper: a checkpoint written by timm for the network of an export's model.json.

Usage: python3 write_timm_checkpoint.py EXPORT_DIR OUT_DIR

Builds the model as load_timm.py does, draws new BN parameters and statistics, and writes
OUT_DIR/model.safetensors (its state_dict, with safetensors.torch when installed, else the same
layout by hand: names sorted, one data block) and OUT_DIR/logits.safetensors (the export's sample
input and timm's eval-mode logits for it).
"""

import json
import os
import struct
import sys

import torch


def save(path, tensors):
    try:
        from safetensors.torch import save_file
    except ImportError:
        save_file = None
    if save_file is not None:
        save_file(tensors, path)
        return
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        data = t.numpy().tobytes()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    export_dir, out_dir = sys.argv[1], sys.argv[2]
    sys.path.insert(0, export_dir)
    import load_timm

    with open(os.path.join(export_dir, "model.json")) as f:
        cfg = json.load(f)
    model = load_timm.build_model(cfg)
    torch.manual_seed(0)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)
                module.running_mean.uniform_(-0.2, 0.2)
                module.running_var.uniform_(0.5, 2)
                module.num_batches_tracked.fill_(99)
    model.eval()
    sample = load_timm.read_safetensors(os.path.join(export_dir, "sample.safetensors"))
    with torch.no_grad():
        logits = load_timm.run_model(model, cfg, sample["input"])
    os.makedirs(out_dir, exist_ok=True)
    save(os.path.join(out_dir, "model.safetensors"), model.state_dict())
    save(os.path.join(out_dir, "logits.safetensors"), {"input": sample["input"], "logits": logits})


if __name__ == "__main__":
    main()
