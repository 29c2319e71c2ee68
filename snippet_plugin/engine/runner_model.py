"""The model a runner trains, without its distributed wrapper."""
import torch
from mmengine.model import is_model_wrapper


def unwrapped_model(runner) -> torch.nn.Module:
    """``runner.model``, or the module inside it when DDP wraps it (hooks and
    loops read and set attributes of the model itself)."""
    model = runner.model
    return model.module if is_model_wrapper(model) else model
