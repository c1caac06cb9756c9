"""Tell the user what to run next; Jinja has already rendered everything else."""

NEXT_STEPS = """
Your project is ready. Next steps:

    cd {{ cookiecutter.project_slug }}
    make install   # create the virtual environment with uv
    make test      # run the test suite, offline, no Google Cloud credentials needed
    make dev       # start the server with auto-reload
"""

if __name__ == "__main__":
    print(NEXT_STEPS)
