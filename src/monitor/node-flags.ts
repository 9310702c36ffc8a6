// How Node runs the monitor. The DaemonSet starts it with these flags, and the test beds and the monitor
// benchmark start it the same way, so what they measure is what runs on the nodes.
//   --max-opt=2          optimize hot code with Maglev at most, never TurboFan: with both optimizing
//                        compilers the monitor's resident memory grows by some 10 MB once its probe path
//                        is hot (their code pages and zones); Maglev alone costs about 3 MB of that, and
//                        Sparkplug alone (--max-opt=1) costs ~15 % more CPU per probe.
//   --single-threaded    no V8 helper threads (concurrent GC and compilation): a heap of a few MB does not
//                        need them, and waking them costs more CPU than it saves here.
export const monitorNodeFlags: readonly string[] = ['--max-opt=2', '--single-threaded'];
