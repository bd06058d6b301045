def register_all() -> None:
    return None
