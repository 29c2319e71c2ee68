"""BodyPartRelationHead (RVTCLR): part pooling over all 25 joints and the
head's output against a loop over parts, frames and persons."""
import torch
import torch.nn.functional as F

from snippet_plugin.models.selfsup import (NTU25_BODY_PARTS,
                                           BodyPartRelationHead)


def test_part_pooling_averages_each_body_part_of_all_25_joints():
    head = BodyPartRelationHead(in_channels=4, out_channels=3)
    assert sorted(j for part in NTU25_BODY_PARTS for j in part) == list(
        range(25))
    x = torch.randn(2, 4, 5, 25)
    pooled = torch.einsum('bctv,vp->bctp', x, head.pooling)
    for p, joints in enumerate(NTU25_BODY_PARTS):
        torch.testing.assert_close(pooled[..., p],
                                   x[..., list(joints)].mean(-1))


def test_part_head_equals_a_loop_over_parts_frames_and_persons():
    """Eval mode, BN made non-trivial: the head's output against a
    per-sample, per-part, per-frame loop of steps 1-4."""
    torch.manual_seed(0)
    head = BodyPartRelationHead(in_channels=4, out_channels=3,
                                hidden_channels=5)
    batch_norm = head.inter_part_out[1]
    with torch.no_grad():
        batch_norm.weight.copy_(torch.tensor([1.0, -0.5, 2.0, 0.3]))
        batch_norm.bias.copy_(torch.tensor([0.1, 0.0, -0.2, 0.4]))
        batch_norm.running_mean.copy_(torch.tensor([0.2, -0.1, 0.0, 0.5]))
        batch_norm.running_var.copy_(torch.tensor([1.5, 0.5, 2.0, 1.0]))
    head.eval()
    x = torch.randn(2, 3, 4, 6, 25)  # (N, M, C, T, V)
    with torch.no_grad():
        out = head(x)
        expected = []
        for sample in x:
            person_feats = []
            for person in sample:  # (C, T, V)
                parts = torch.stack([person[:, :, list(j)].mean(-1)
                                     for j in NTU25_BODY_PARTS], dim=2)
                intra = torch.stack([
                    torch.stack([head.intra_part(parts[:, t, p, None, None])
                                 [:, 0, 0] for p in range(5)], dim=1)
                    for t in range(6)], dim=1)  # (C, T, P)
                mean_part = intra.mean(dim=2)  # (C, T)
                theta = head.theta(mean_part[None])[0]
                phi = head.phi(mean_part[None])[0]
                g = head.g(intra[None])[0]  # (C/2, T, P)
                affinity = torch.softmax(theta.t() @ phi, dim=1)  # (T, T)
                related = torch.zeros_like(g)
                for t in range(6):
                    for s in range(6):
                        related[:, t] += affinity[t, s] * g[:, s]
                out_conv = head.inter_part_out[0](related[None])[0]
                normed = ((out_conv - batch_norm.running_mean[:, None, None])
                          / torch.sqrt(batch_norm.running_var[:, None, None]
                                       + batch_norm.eps)
                          * batch_norm.weight[:, None, None]
                          + batch_norm.bias[:, None, None])
                person_feats.append((intra + normed).mean(dim=(1, 2)))
            pooled = torch.stack(person_feats).mean(dim=0)
            expected.append(F.normalize(head.projection(pooled), dim=0))
    torch.testing.assert_close(out, torch.stack(expected), rtol=1e-4,
                               atol=1e-5)


def test_padded_frames_change_neither_relation_nor_pooling():
    """Eval mode: the output of 6 real frames equals that of the same
    frames followed by 4 padded ones holding arbitrary values."""
    torch.manual_seed(0)
    head = BodyPartRelationHead(in_channels=4, out_channels=3).eval()
    real = torch.randn(2, 2, 4, 6, 25)  # (N, M, C, T, V)
    padded = torch.cat([real, 50 * torch.randn(2, 2, 4, 4, 25)], dim=3)
    mask = (torch.arange(10) < 6).expand(2, -1)
    with torch.no_grad():
        torch.testing.assert_close(head(padded, mask), head(real))
