"""Chapter 06 in Python: the talk's hello world with tasks.

Run it: ./workbook run 06 --python, or python3 chapters/06_tasks/tasks.py
(no stand-in needed: nothing here goes over the network).
"""
import asyncio
import time

people = [("Ada", 300), ("Grace", 100), ("Linus", 200)]


async def hello_world(name, delay_ms):
    await asyncio.sleep(delay_ms / 1000)
    # The task's own name says who ran this: each create_task below names one.
    print(f"  {asyncio.current_task().get_name():<12} Hello World, {name}! ({delay_ms} ms)")
    return f"Hello World, {name}!"


# The talk took asyncio.get_event_loop(), deprecated when no loop is running
# (a DeprecationWarning in Python 3.12 and 3.13, an error from 3.14), and
# asyncio.ensure_future(coroutine), which wraps a coroutine in a task on
# that loop: loop.create_task is the same step, on a loop made here.
loop = asyncio.new_event_loop()
try:
    print("Start them all, then wait for all:")
    start = time.time()
    # [slide:all_at_once]
    tasks = []
    for name, delay_ms in people:
        task = loop.create_task(hello_world(name, delay_ms), name=f"task-{name}")
        tasks.append(task)
    done, _ = loop.run_until_complete(asyncio.wait(tasks))
    # [/slide]
    # The talk never looked at what asyncio.wait returned. It does not raise
    # a task's exception: it only sorts the tasks into done and pending (all
    # done here: its default is ALL_COMPLETED). An exception left in a task
    # shows up, if at all, as "Task exception was never retrieved" when the
    # program ends. task.result() raises it here, where it belongs.
    for task in tasks:  # in the order they were started, not the order they ended
        print(f"  {task.get_name():<12} returned {task.result()!r}")
    print("  Execution time = {:.2f} s (the longest wait, not the sum)".format(time.time() - start))

    # What the C++ task_group keeps: Python 3.11's asyncio.TaskGroup. When
    # one task fails, the others are cancelled and awaited, and only then
    # does the error come out (as an ExceptionGroup; C++ throws the first).
    async def broken(name, delay_ms):
        await asyncio.sleep(delay_ms / 1000)
        raise RuntimeError(f"{name} failed")

    # [slide:one_fails]
    async def one_fails():
        try:
            async with asyncio.TaskGroup() as group:
                for name, delay_ms in people:
                    group.create_task(hello_world(name, delay_ms), name=f"task-{name}")
                group.create_task(broken("Bug", 50), name="task-Bug")
        except Exception as group_error:  # an ExceptionGroup of every failure
            # Reached only once Ada, Grace and Linus have all ended (cancelled).
            print(f"  the task group raised: {group_error.exceptions[0]}")
    # [/slide]

    if hasattr(asyncio, "TaskGroup"):  # Python 3.11 and later
        print("\nThe same three and one that fails after 50 ms (the others are cancelled, then the error):")
        loop.run_until_complete(one_fails())
finally:
    loop.close()
