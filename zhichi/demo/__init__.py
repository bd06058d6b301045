"""The demo data: a district procuratorate's year of work, made by running the services.

It sits at the top of the import graph (it drives every app) and nothing imports it
except `bench/`, which shares its vocabulary."""
