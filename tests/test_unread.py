"""What the loss never reads: rows found from gradients (not from the variant's name), and marked."""
from __future__ import annotations

import numpy as np
import pytest

import mmviz
from mmviz import FusionClassifier
from mmviz.measure import unread_queries
from mmviz.plot import AttentionPicture, plot_attention


@pytest.fixture(scope="module")
def locate():
    return mmviz.make_task("locate", n_train=32, n_test=64, seed=0)


def unread_by_name(variant, task, **options):
    model = FusionClassifier(variant, task, dim=16, heads=2, **options)
    records = model.run(task, 4).attention
    unread = unread_queries(model, task)
    assert [len(u) for u in unread] == [r.weights.shape[2] for r in records]
    return {r.name: u.tolist() for r, u in zip(records, unread)}


def test_pointer_readout_never_reads_the_caption_queries_of_the_last_joint_layer(locate):
    unread = unread_by_name("early_concatenation", locate)
    assert unread["joint, layer 1"] == [False] * 18                 # every token feeds layer 2
    assert unread["joint, layer 2"] == [False] * 16 + [True] * 2     # 16 patches read, 2 words not


def test_one_to_multi_caption_encoder_is_never_read_under_the_pointer_readout(locate):
    unread = unread_by_name("hierarchical_one_to_multi", locate)
    assert unread["modality 2 encoder, layer 1"] == unread["modality 2 encoder, layer 2"] == [True, True]
    assert not any(unread["modality 1 encoder, layer 2"])


def test_cross_attention_last_caption_queries_are_unread_and_a_pooled_readout_reads_everything(locate):
    unread = unread_by_name("cross_attention", locate)
    assert unread["cross 2←1, layer 2"] == [True, True] and not any(unread["cross 2←1, layer 1"])
    pooled = unread_by_name("cross_attention", locate, readout="pooled")
    assert not any(any(rows) for rows in pooled.values())


def test_unread_queries_refuses_a_model_of_another_task(locate):
    match = mmviz.make_task("match", n_train=8, n_test=8)
    with pytest.raises(ValueError, match="built for task 'match'"):
        unread_queries(FusionClassifier("early_concatenation", locate, dim=16, heads=2), match)


def test_attention_picture_greys_and_hatches_unread_rows_with_a_note(locate):
    model = FusionClassifier("early_concatenation", locate, dim=16, heads=2)
    record = model.run(locate, 4).attention[-1]
    unread = unread_queries(model, locate)[-1].numpy()
    picture = AttentionPicture()
    picture.draw(record, unread=unread)
    assert "never read by the loss" in picture.note.get_text() and "2 of 18" in picture.note.get_text()
    assert len(picture.hatches) == 1 and picture.hatches[0].get_height() == 2
    shade = picture.shade.get_array()
    assert (shade[16:, :, 3] > 0).all() and (shade[:16, :, 3] == 0).all()
    assert picture.png()[:4] == b"\x89PNG"
    picture.draw(record)                                  # the same picture, nothing unread: marks gone
    assert picture.note.get_text() == "" and picture.hatches == []
    with pytest.raises(ValueError, match=r"unread must be None or a bool array of shape \(18,\)"):
        plot_attention(record, unread=np.ones(17, bool))


def test_alignment_is_reported_only_for_maps_whose_queries_the_loss_reads(locate):
    from mmviz.measure import alignment_aucs, best_alignment_auc, read_alignment_aucs
    model = FusionClassifier("cross_attention", locate, dim=16, heads=2)
    every, read = alignment_aucs(model, locate, n=64), read_alignment_aucs(model, locate, n=64)
    assert "cross 2←1, layer 2: caption←image" in every        # the last caption queries: never read
    assert set(read) == set(every) - {"cross 2←1, layer 2: caption←image"}
    assert best_alignment_auc(model, locate, n=64) == max(read.values())
    streams = mmviz.make_task("streams", n_train=8, n_test=16)
    summed = FusionClassifier("early_summation", streams, dim=16, heads=2)
    assert np.isnan(best_alignment_auc(summed, streams))                      # no map pairs modalities
