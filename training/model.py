"""A small CRNN for one line of Urdu text: conv stack, one BiLSTM, linear over the charset.

Input: ``(N, 1, 32, W)`` float32 pixel values 0..255 (grayscale). The normalisation to
[-1, 1] (``x / 127.5 - 1``) happens inside :meth:`CRNN.forward`, so it is part of the
exported ONNX graph. Output: ``(T, N, C)`` log-probabilities, ``T = W // 4``, class 0 the
CTC blank, class ``i + 1`` the character ``charset[i]``; frames run left to right over
the image (visual order, see :func:`training.corpus.to_visual`).
"""

from __future__ import annotations

import torch
from torch import nn


def _block(c_in: int, c_out: int) -> list[nn.Module]:
    return [
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    ]


class CRNN(nn.Module):
    """Conv feature extractor (height 32 -> 1, width / 4), BiLSTM, per-frame classifier."""

    def __init__(self, n_classes: int, hidden: int = 128) -> None:
        super().__init__()
        self.features = nn.Sequential(
            *_block(1, 32),
            nn.MaxPool2d(2),  # 16 x W/2
            *_block(32, 64),
            nn.MaxPool2d(2),  # 8 x W/4
            *_block(64, 96),
            *_block(96, 96),
            nn.MaxPool2d((2, 1)),  # 4 x W/4
            *_block(96, 160),
            *_block(160, 160),
            nn.MaxPool2d((2, 1)),  # 2 x W/4
            nn.Conv2d(160, 256, (2, 1), bias=False),  # 1 x W/4
            nn.BatchNorm2d(256),
            nn.ReLU(inplace=True),
        )
        self.rnn = nn.LSTM(256, hidden, bidirectional=True, batch_first=False)
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(2 * hidden, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Log-probabilities ``(T, N, C)`` of a batch of line images ``(N, 1, 32, W)``."""
        x = x / 127.5 - 1.0
        f = self.features(x).squeeze(2)  # N, 256, T
        f = f.permute(2, 0, 1)  # T, N, 256
        f, _ = self.rnn(f)
        return self.head(self.dropout(f)).log_softmax(-1)


def n_params(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _onnx_lstm_gates(w: torch.Tensor) -> torch.Tensor:
    """ONNX stacks LSTM gates as i, o, f, c; PyTorch as i, f, c (g), o."""
    i, o, f, c = w.chunk(4, 0)
    return torch.cat([i, f, c, o], 0)


def load_onnx_weights(model: CRNN, path: str) -> None:
    """Load the weights of an exported ``urdu_crnn.onnx`` into ``model`` (to fine-tune it).

    The export folded each batch norm into its convolution, so the convolutions get the
    folded weights and the batch norms become identities (zero mean, unit variance); keep
    the batch norms in eval mode while fine-tuning (:func:`freeze_batchnorm`).
    """
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(path).graph
    init = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in graph.initializer}
    convs = [n for n in graph.node if n.op_type == "Conv"]
    lstm = next(n for n in graph.node if n.op_type == "LSTM")
    matmul = [n for n in graph.node if n.op_type == "MatMul" and n.input[1] in init][-1]
    layers = list(model.features)
    pairs = [
        (layer, layers[k + 1]) for k, layer in enumerate(layers) if isinstance(layer, nn.Conv2d)
    ]
    if len(pairs) != len(convs):
        raise ValueError(f"{path}: {len(convs)} convolutions, the model has {len(pairs)}")
    with torch.no_grad():
        for (conv, bn), node in zip(pairs, convs):
            conv.weight.copy_(init[node.input[1]])
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
            bn.weight.fill_(1.0)
            bn.bias.copy_(init[node.input[2]])
        w, r, b = (init[name] for name in lstm.input[1:4])
        hidden = r.shape[-1]
        for d, suffix in enumerate(["", "_reverse"]):
            getattr(model.rnn, "weight_ih_l0" + suffix).copy_(_onnx_lstm_gates(w[d]))
            getattr(model.rnn, "weight_hh_l0" + suffix).copy_(_onnx_lstm_gates(r[d]))
            getattr(model.rnn, "bias_ih_l0" + suffix).copy_(_onnx_lstm_gates(b[d, : 4 * hidden]))
            getattr(model.rnn, "bias_hh_l0" + suffix).copy_(_onnx_lstm_gates(b[d, 4 * hidden :]))
        model.head.weight.copy_(init[matmul.input[1]].T)
        model.head.bias.copy_(init["head.bias"])


def freeze_batchnorm(model: nn.Module) -> None:
    """Put every batch norm in eval mode (running statistics fixed, affine still trained)."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()
