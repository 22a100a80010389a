"""Chapter 00 in Python: the same restaurant, on asyncio.

The blocking waiter stands at the kitchen (time.sleep); the event-loop waiter
is one task per table on one loop, and asyncio.sleep hands the loop back
while a dish cooks. Run it: ./workbook run 00 --python
"""
import asyncio
import time

# (table, dish, ordering seconds, cooking seconds): the C++ demo's tables.
TABLES = [
    ("table 1", "steak", 0.02, 0.30),
    ("table 2", "salad", 0.02, 0.10),
    ("table 3", "soup", 0.02, 0.20),
    ("table 4", "pasta", 0.02, 0.15),
]

start = time.monotonic()


def log(waiter, what):
    print(f"  {(time.monotonic() - start) * 1000:5.0f} ms  {waiter:<5} {what}")


def take_order(waiter, table, dish, ordering):
    # The waiter's own work: he writes, and does nothing else meanwhile.
    time.sleep(ordering)
    log(waiter, f"takes the order of {table} ({dish})")


# [slide:waiter_py_blocking]
def blocking_waiter(waiter="Ana"):
    for table, dish, ordering, cooking in TABLES:
        take_order(waiter, table, dish, ordering)
        time.sleep(cooking)  # stands at the kitchen: nothing else happens
        log(waiter, f"serves {table} its {dish}")
# [/slide]


# [slide:waiter_py_event_loop]
async def one_table(waiter, table, dish, ordering, cooking):
    take_order(waiter, table, dish, ordering)
    await asyncio.sleep(cooking)  # the kitchen cooks; the loop serves others
    log(waiter, f"serves {table} its {dish}")


async def event_loop_waiter(waiter="Bia"):
    await asyncio.gather(*(one_table(waiter, *t) for t in TABLES))
# [/slide]


def main():
    global start
    print("One blocking waiter:")
    start = time.monotonic()
    blocking_waiter()
    print(f"  Execution time = {time.monotonic() - start:.2f} s (every dish, one after the other)\n")

    print("One event-loop waiter:")
    start = time.monotonic()
    asyncio.run(event_loop_waiter())
    print(f"  Execution time = {time.monotonic() - start:.2f} s (the slowest table alone)")


if __name__ == "__main__":
    main()
