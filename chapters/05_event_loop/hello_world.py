"""Chapter 05 in Python: the talk's asyncio hello world, and two waits on one loop.

Run it: ./workbook run 05 --python, or python3 chapters/05_event_loop/hello_world.py
(no stand-in needed: nothing here goes over the network).
"""
import asyncio
import threading
import time


# [slide:hello_world]
async def hello_world():
    print('Hello World!')
# [/slide]


# [slide:greet_after]
async def greet_after(name, delay_ms):
    # await hands the thread back to the loop until the timer fires: both
    # greetings wait at the same time, on the one thread.
    await asyncio.sleep(delay_ms / 1000)
    print(f"  Hello, {name}! after {delay_ms} ms, on thread {threading.current_thread().name}")
# [/slide]


# The talk took asyncio.get_event_loop(), deprecated when no loop is running
# (a DeprecationWarning in Python 3.12 and 3.13, an error from 3.14). A new
# loop, closed at the end, keeps the slide's run_until_complete in view;
# asyncio.run(hello_world()) is today's one-line way.
loop = asyncio.new_event_loop()
try:
    # [slide:hello_world_run]
    loop.run_until_complete(hello_world())
    # [/slide]

    print(f"\nTwo coroutines on one loop, on thread {threading.current_thread().name}:")
    start = time.time()
    # [slide:two_waits]
    slow = loop.create_task(greet_after("slow", 300))  # started first, ends last
    fast = loop.create_task(greet_after("fast", 100))
    loop.run_until_complete(asyncio.gather(slow, fast))
    # [/slide]
    print("Execution time = {:.2f} s (300 ms + 100 ms of waiting, overlapped)".format(time.time() - start))

    # run_until_complete returns as soon as its coroutine is done, even
    # when that coroutine started a task it never awaited: the task stays
    # pending (C++: the handler that stops the loop, in run_until_complete).
    async def starts_and_leaves():
        loop.create_task(greet_after("left behind", 500))
        return "main is done"

    print("\nrun_until_complete returns when main is done, even with a task still waiting:")
    start = time.time()
    print(f"  {loop.run_until_complete(starts_and_leaves())}; "
          f"Execution time = {time.time() - start:.2f} s (its 500 ms task never printed: left pending)")
    leftover = [t for t in asyncio.all_tasks(loop) if not t.done()]
    print(f"  tasks still pending: {len(leftover)}")
    for task in leftover:
        # Cancelled and run once more, so that closing the loop does not
        # warn "Task was destroyed but it is pending!" (asyncio.run does the same).
        task.cancel()
    loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))
finally:
    loop.close()
