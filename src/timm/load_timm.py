#!/usr/bin/env python3
"""Loads a Tricks Playground ResNet into timm and checks it against the app's own logits.

Usage: python3 load_timm.py [DIR] [--atol A]

DIR (default: this script's folder) holds model.json, model.safetensors and sample.safetensors.
Needs torch and timm >= 1.0.8 (ResNet's `channels` argument); the safetensors package is used
when installed, else a small reader below.

Steps: build timm.models.resnet.ResNet from model.json's timm_kwargs, apply the documented
patches (small_stem, stem_out_channels, stride_in_1x1), load the weights with strict=True, run
sample.safetensors' inputs in eval mode and compare with its logits. Exit status 0 when every
|logit - expected| <= atol + 1e-3 * |expected|.

An FCN (model.json's "fcn", task=segment in the app): timm's ResNet with output_stride=8 and no
classifier, a torchvision FCNHead as `classifier` beside it, and the scores upsampled bilinearly
(align_corners=False) to the input size; its logits are per pixel, [n, classes, height, width].
"""

import argparse
import json
import os
import struct
import sys

import timm
import torch
import torch.nn as nn
import torch.nn.functional as F
from timm.models.resnet import BasicBlock, Bottleneck, ResNet, downsample_avg, downsample_conv

BLOCKS = {"basic": BasicBlock, "bottleneck": Bottleneck}
DTYPES = {"F32": torch.float32, "I64": torch.int64}


def read_safetensors(path):
    """name -> tensor. Uses the safetensors package when present."""
    try:
        from safetensors.torch import load_file
    except ImportError:
        load_file = None
    if load_file is not None:
        return load_file(path)
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    start = 8 + header_len
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = DTYPES[entry["dtype"]]
        buffer = bytearray(data[start + begin : start + end])
        flat = torch.frombuffer(buffer, dtype=dtype) if end > begin else torch.zeros(0, dtype=dtype)
        tensors[name] = flat.reshape(entry["shape"])
    return tensors


def rebuild_first_block(model, block_cls, inplanes, planes, avg_down):
    """layer1.0 for a stem of `inplanes` channels, as timm's make_blocks would build it."""
    outplanes = planes * block_cls.expansion
    downsample = None
    if inplanes != outplanes:
        make = downsample_avg if avg_down else downsample_conv
        downsample = make(inplanes, outplanes, kernel_size=1, stride=1)
    model.layer1[0] = block_cls(inplanes, planes, stride=1, downsample=downsample)


def patch_stem_out_channels(model, cfg, block_cls):
    """timm's plain stem always outputs 64 channels and its deep stem 2 * stem_width."""
    channels = cfg["stem_out_channels"]
    kwargs = cfg["timm_kwargs"]
    if kwargs["stem_type"] == "deep":
        model.conv1[6] = nn.Conv2d(model.conv1[3].out_channels, channels, 3, 1, 1, bias=False)
    else:
        model.conv1 = nn.Conv2d(3, channels, 7, 2, 3, bias=False)
    model.bn1 = nn.BatchNorm2d(channels)
    rebuild_first_block(model, block_cls, channels, kwargs["channels"][0], kwargs["avg_down"])


def patch_small_stem(model, cfg):
    """Stem for small inputs: no max-pool; plain conv1 is a 3x3 stride-1 conv, deep conv1.0 stride 1."""
    model.maxpool = nn.Identity()
    if cfg["timm_kwargs"]["stem_type"] == "deep":
        model.conv1[0].stride = (1, 1)
    else:
        model.conv1 = nn.Conv2d(3, model.bn1.num_features, 3, 1, 1, bias=False)


def patch_stride_in_1x1(model):
    """ResNet-A: each stage's first bottleneck strides in conv1 (1x1) instead of conv2 (3x3)."""
    for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
        block = layer[0]
        stride = block.conv2.stride
        block.conv1.stride, block.conv2.stride = stride, (1, 1)


def patch_dilated_avg_down(model):
    """FCN with avg_down: timm pools the shortcut of layer3.0 and layer4.0 (2x2, stride 1); ours does not."""
    for layer in (model.layer3, model.layer4):
        downsample = layer[0].downsample
        if downsample is not None and len(downsample) == 3:
            downsample[0] = nn.Identity()


def add_fcn_head(model, cfg):
    """torchvision's FCNHead layout as model.classifier: its state-dict keys are classifier.*."""
    head = cfg["fcn"]
    channels = model.num_features
    model.classifier = nn.Sequential(
        nn.Conv2d(channels, head["head_channels"], 3, padding=1, bias=False),
        nn.BatchNorm2d(head["head_channels"]),
        nn.ReLU(),
        nn.Dropout(0.1),
        nn.Conv2d(head["head_channels"], head["classes"], 1),
    )


def run_model(model, cfg, x):
    """Logits: [n, classes], or an FCN's per pixel [n, classes, height, width]."""
    if "fcn" not in cfg:
        return model(x)
    scores = model.classifier(model.forward_features(x))
    return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)


def build_model(cfg):
    kwargs = dict(cfg["timm_kwargs"])
    block_cls = BLOCKS[kwargs.pop("block")]
    try:
        model = ResNet(block=block_cls, **kwargs)
    except TypeError as err:
        raise SystemExit(f"timm {timm.__version__} cannot build this ResNet ({err}): "
                         "load_timm.py needs timm >= 1.0.8")
    if "stem_out_channels" in cfg:
        patch_stem_out_channels(model, cfg, block_cls)
    if cfg.get("small_stem"):
        patch_small_stem(model, cfg)
    if cfg.get("stride_in_1x1"):
        patch_stride_in_1x1(model)
    if "fcn" in cfg:
        if kwargs["avg_down"]:
            patch_dilated_avg_down(model)
        add_fcn_head(model, cfg)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", default=os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--atol", type=float, default=1e-3)
    args = parser.parse_args()
    with open(os.path.join(args.dir, "model.json")) as f:
        cfg = json.load(f)
    model = build_model(cfg)
    model.load_state_dict(read_safetensors(os.path.join(args.dir, "model.safetensors")), strict=True)
    model.eval()
    sample = read_safetensors(os.path.join(args.dir, "sample.safetensors"))
    with torch.no_grad():
        logits = run_model(model, cfg, sample["input"])
    expected = sample["logits"]
    delta = (logits - expected).abs()
    max_delta = delta.max().item()
    agree = (logits.argmax(1) == expected.argmax(1)).sum().item()
    largest = expected.abs().max().item()
    where = "pixels" if "fcn" in cfg else "images"
    print(f"max |delta logit| = {max_delta:.3g} (largest |logit| {largest:.3g}) over "
          f"{expected.numel()} logits; top-1 agrees on {agree}/{expected.numel() // expected.shape[1]} {where}")
    if not bool((delta <= args.atol + 1e-3 * expected.abs()).all()):
        print("FAIL: timm's logits differ from the app's", file=sys.stderr)
        return 1
    print("OK: timm reproduces the app's logits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
