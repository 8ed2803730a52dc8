"""Media: where files live and how images are made.

- ``storage`` / ``s3`` / ``backend``: the local signed-URL store (default) and S3, chosen
  from settings; keys carry their workspace.
- ``assets``: uploads (checked by their bytes), ownership, signed URLs, post display URLs.
- ``images``: the providers (builtin Pillow cards, OpenAI Images, Replicate).
- ``generate``: zorbit's synchronous generation, sparkvox/powerpost image jobs, bulk images.
- ``workflow``: the DBOS workflow that runs image jobs.
"""
