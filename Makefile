# `make demo` and `make test` install what is missing (idempotent), then run.
PYTHON ?= python3
DATA_DIR ?= data/mocapmix
MOCAPMIX := $(DATA_DIR)/mocapmix.pkl
WORK_DIR ?= work_dirs/demo

.PHONY: install demo test test-all clean

install:
	$(PYTHON) tools/ensure_stack.py requirements/pinned.txt requirements/tests.txt

demo: install
	$(PYTHON) tools/data/prepare_mocapmix.py --out $(MOCAPMIX)
	$(PYTHON) tools/visualize_sequence.py $(MOCAPMIX) --split val --with-class kick \
		--out $(WORK_DIR)/mocapmix_val_sequence.png
	$(PYTHON) tools/visualize_sequence.py $(MOCAPMIX) --split val --with-class kick --focus \
		--out $(WORK_DIR)/mocapmix_val_kick.png

test: install
	$(PYTHON) -m pytest -q tests

clean:
	rm -rf work_dirs .pytest_cache
