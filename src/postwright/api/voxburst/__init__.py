"""voxburst dialect: ``/v1/ai/*``, ``/v1/bulk-generate*``, persona runtime assembly."""
