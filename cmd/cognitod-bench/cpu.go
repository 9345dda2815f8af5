package main

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/PID/stat: 100 on
// every Linux architecture Go runs on.
const clockTicks = 100

// cpuSample is the CPU time (user + system) this process and the server had
// used at one instant; a negative time is unknown.
type cpuSample struct {
	at     time.Time
	self   time.Duration
	server time.Duration
	// machine is the busy time of all CPUs together (every process).
	machine time.Duration
}

func takeCPUSample(serverPID int) cpuSample {
	s := cpuSample{at: time.Now(), self: procCPU(os.Getpid()), server: -1, machine: machineCPU()}
	if serverPID > 0 && serverPID != os.Getpid() {
		s.server = procCPU(serverPID)
	}
	return s
}

// machineCPU reads the busy time of all CPUs (user, nice, system, irq,
// softirq, steal: everything but idle and iowait) from /proc/stat; -1 where
// there is none.
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 9 || string(f[0]) != "cpu" {
		return -1
	}
	var busy int64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return -1
		}
		busy += n
	}
	return time.Duration(busy) * time.Second / clockTicks
}

// procCPU reads a process's user + system CPU time from /proc (Linux); -1
// where there is no /proc or no such process.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// fields are counted after its closing one, from field 3 (state).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(string(f[11]), 10, 64) // field 14
	stime, err2 := strconv.ParseInt(string(f[12]), 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return -1
	}
	return time.Duration(utime+stime) * time.Second / clockTicks
}
