# `make demo` and `make test` install what is missing (idempotent), then run.
# PYTHON is the interpreter you start from. Inside a virtual or conda
# environment everything installs there; otherwise (e.g. Debian's packaged
# python3, PEP 668) into a project environment $(VENV), made on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(shell $(PYTHON) tools/ensure_stack.py --interpreter --venv $(VENV))
DATA_DIR ?= data/mocapmix
MOCAPMIX := $(DATA_DIR)/mocapmix.pkl
WORK_DIR ?= work_dirs/demo
QUICKSTART := configs/quickstart
BASELINE := skeletonclr_stgcn_mocapmix
SNIPPETS := snippet_skeletonclr_replicate_stgcn_mocapmix
MODELS := $(BASELINE) $(SNIPPETS)
LOCALIZER := linear_snippet_skeletonclr_replicate_stgcn_mocapmix
FLOOR := rawpose_mocapmix
RANDOM_INIT := random_stgcn_mocapmix

.PHONY: install data demo pretrain knn localize test test-slow test-all clean

install:
	$(PYTHON) tools/ensure_stack.py --venv $(VENV) requirements/pinned.txt requirements/tests.txt

data: install
	$(PY) tools/data/prepare_mocapmix.py --out $(MOCAPMIX)
	$(PY) tools/visualize_sequence.py $(MOCAPMIX) --split val --with-class kick \
		--out $(WORK_DIR)/mocapmix_val_sequence.png
	$(PY) tools/visualize_sequence.py $(MOCAPMIX) --split val --with-class kick --focus \
		--out $(WORK_DIR)/mocapmix_val_kick.png

# Stage 1 on MocapMix: pretrain the SkeletonCLR baseline and its snippet
# variant (snippets matched by shared frames over replicate temporal
# padding: the recipe without issue 21's position shortcut), localize by
# KNN on frozen features, compare side by side with the two floors under
# the same KNN loop: the raw pose (no learning) and the same ST-GCN at its
# seeded random initialisation (no training).
pretrain: data
	for model in $(MODELS); do \
		$(PY) tools/train.py $(QUICKSTART)/$$model.py --work-dir $(WORK_DIR)/$$model \
			--no-validate || exit 1; \
	done

knn: pretrain
	for model in $(MODELS); do \
		$(PY) tools/test.py $(QUICKSTART)/$$model.py \
			$$(cat $(WORK_DIR)/$$model/last_checkpoint) --work-dir $(WORK_DIR)/$$model \
			--dump $(WORK_DIR)/$$model/knn_predictions.pkl || exit 1; \
	done
	$(PY) tools/test.py configs/knn/$(FLOOR).py --work-dir $(WORK_DIR)/$(FLOOR) \
		--dump $(WORK_DIR)/$(FLOOR)/knn_predictions.pkl
	$(PY) tools/test.py $(QUICKSTART)/$(BASELINE).py --random-init --seed 0 \
		--work-dir $(WORK_DIR)/$(RANDOM_INIT) --dump $(WORK_DIR)/$(RANDOM_INIT)/knn_predictions.pkl
	$(PY) tools/analysis/compare_localization.py --ann-file $(MOCAPMIX) \
		--result "raw-pose floor"=$(WORK_DIR)/$(FLOOR)/knn_predictions.pkl \
		--result "random init"=$(WORK_DIR)/$(RANDOM_INIT)/knn_predictions.pkl \
		--result SkeletonCLR=$(WORK_DIR)/$(BASELINE)/knn_predictions.pkl \
		--result "SkeletonCLR + snippets"=$(WORK_DIR)/$(SNIPPETS)/knn_predictions.pkl \
		--sample 0 --out $(WORK_DIR)/knn_timeline.png

# Stage 2 on MocapMix: a linear localizer (U-neck + frame-wise head) on the
# frozen snippet encoder, then localize one validation recording (JSON + PNG).
localize: knn
	$(PY) tools/train.py $(QUICKSTART)/$(LOCALIZER).py --work-dir $(WORK_DIR)/$(LOCALIZER) \
		--cfg-options model.pretrained=$(WORK_DIR)/$(SNIPPETS)/epoch_40.pth
	$(PY) tools/localize.py $(QUICKSTART)/$(LOCALIZER).py \
		$$(cat $(WORK_DIR)/$(LOCALIZER)/last_checkpoint) $(MOCAPMIX) \
		--sample mocapmix_val_000 --out-dir $(WORK_DIR)/localized

demo: localize

test: install
	$(PY) -m pytest -q tests

# the slow tests (torchrun on two gloo ranks, SIGKILL + resume), then both
test-slow: install
	$(PY) -m pytest -q -m slow tests

test-all: test test-slow

clean:
	rm -rf work_dirs .pytest_cache  # keeps $(VENV); remove it by hand to start over
