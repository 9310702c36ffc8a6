// How Node runs the monitor. The DaemonSet starts it with these flags, and the test beds and the monitor
// benchmark start it the same way, so what they measure is what runs on the nodes.
//   --max-opt=1          interpret, then compile hot code with Sparkplug (the baseline compiler) only: the
//                        optimizing compilers (Maglev, TurboFan) would add some 10 MB of resident memory
//                        (their code and zones) for a process that spends little time in JavaScript.
//   --single-threaded    no V8 helper threads (concurrent GC and compilation): a heap of a few MB does not
//                        need them, and waking them costs more CPU than it saves here.
export const monitorNodeFlags: readonly string[] = ['--max-opt=1', '--single-threaded'];
