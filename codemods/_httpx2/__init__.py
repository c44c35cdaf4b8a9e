"""The pieces of the move to httpx2 (:mod:`codemods.to_httpx2`): what decides whether a file can move
(``checks``), where the move looks (``tree``), what respx needs (``respx``), and the transformer (``mover``)."""
