# Thin aliases for ./dev, which holds the logic (it also works where make is missing).
.PHONY: demo test deps
demo:
	./dev demo
test:
	./dev test
deps:
	./dev deps --test
