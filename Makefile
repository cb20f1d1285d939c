# The two commands of the README: `make demo` and `make test`. Each creates the
# virtual environment .venv in the checkout on first use and installs the
# project into it (editable, with the development extras).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test bench bench-gpu oracle lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m engine.demo --output demo-output

# The GPU kernels' tests run in a pytest process of their own, in Numba's CUDA simulator
# (it must be switched on before numba.cuda is imported); on a GPU run them without the variable.
test: $(STAMP)
	$(BIN)/python -m pytest
	NUMBA_ENABLE_CUDASIM=1 $(BIN)/python -m pytest tests/cuda

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/grading.py --json bench-output/grading.json

# The GPU benchmark (an NVIDIA GPU, numba-cuda and a CUDA build of PyTorch): the engine on "cuda"
# against PyTorch on the same GPU; bench-output/gpu.md is the table for the README's Speed section.
bench-gpu: $(STAMP)
	$(BIN)/python benchmarks/gpu.py --json bench-output/gpu.json --markdown bench-output/gpu.md

# PyTorch (CPU build) as a test oracle and benchmark peer, and NVIDIA's NVVM and NVRTC
# libraries, with which the GPU kernels are compiled for a real GPU without one; the tests
# that need them skip cleanly without them.
oracle: $(STAMP)
	$(BIN)/python -m pip install --quiet torch==2.13.0 'nvidia-nvvm==13.*' 'nvidia-cuda-nvrtc==13.*'

lint: $(STAMP)
	$(BIN)/ruff check engine autograder tests benchmarks

clean:
	rm -rf $(VENV) demo-output bench-output
	find . -name __pycache__ -prune -exec rm -rf {} +
