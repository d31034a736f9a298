package executor

import (
	"math"
	"net/http"
	"os"
	"time"

	"github.com/gohands/gohands/internal/pycompat"
	"github.com/labstack/echo/v4"
	"github.com/shirou/gopsutil/v3/disk"
	"github.com/shirou/gopsutil/v3/process"
)

// jsonFloat is a float that JSON writes as Python's json does: 0.0, not 0.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	return []byte(pycompat.FloatRepr(float64(f))), nil
}

type memInfo struct {
	RSS     uint64    `json:"rss"`
	VMS     uint64    `json:"vms"`
	Percent jsonFloat `json:"percent"`
}

type diskInfo struct {
	Total   uint64    `json:"total"`
	Used    uint64    `json:"used"`
	Free    uint64    `json:"free"`
	Percent jsonFloat `json:"percent"` // psutil rounds it to 0.1
}

type ioInfo struct {
	ReadBytes  uint64 `json:"read_bytes"`
	WriteBytes uint64 `json:"write_bytes"`
}

type resources struct {
	CPUPercent jsonFloat `json:"cpu_percent"`
	Memory     memInfo   `json:"memory"`
	Disk       diskInfo  `json:"disk"`
	IO         ioInfo    `json:"io"`
}

type serverInfo struct {
	Uptime    jsonFloat `json:"uptime"`
	IdleTime  jsonFloat `json:"idle_time"`
	Resources resources `json:"resources"`
	Plugins   any       `json:"plugins,omitempty"`
	MCP       *mcpInfo  `json:"mcp,omitempty"`
}

// serverInfo is GET /server_info. Like psutil's cpu_percent(interval=0.1) it samples the
// server's CPU over 100 ms.
func (x *Executor) serverInfo(c echo.Context) error {
	now := time.Now()
	x.statMu.Lock()
	idle := now.Sub(x.lastExec).Seconds()
	x.statMu.Unlock()
	info := serverInfo{Uptime: jsonFloat(now.Sub(x.started).Seconds()), IdleTime: jsonFloat(idle), Plugins: x.pluginStatus(), MCP: x.mcpStatus()}
	if p, err := process.NewProcessWithContext(c.Request().Context(), int32(os.Getpid())); err == nil {
		if t0, err := p.Times(); err == nil {
			w0 := time.Now()
			time.Sleep(100 * time.Millisecond)
			if t1, err := p.Times(); err == nil {
				info.Resources.CPUPercent = jsonFloat(cpuPercent(t0.User, t0.System, t1.User, t1.System, time.Since(w0).Seconds()))
			}
		}
		if m, err := p.MemoryInfo(); err == nil {
			info.Resources.Memory.RSS, info.Resources.Memory.VMS = m.RSS, m.VMS
		}
		if pct, err := p.MemoryPercent(); err == nil {
			info.Resources.Memory.Percent = jsonFloat(pct)
		}
		if io, err := p.IOCounters(); err == nil {
			info.Resources.IO = ioInfo{ReadBytes: io.ReadBytes, WriteBytes: io.WriteBytes}
		}
	}
	if d, err := disk.Usage("/"); err == nil {
		info.Resources.Disk = diskInfo{Total: d.Total, Used: d.Used, Free: d.Free, Percent: jsonFloat(math.Round(d.UsedPercent*10) / 10)}
	}
	return pyJSON(c, http.StatusOK, info)
}

// cpuPercent is psutil's Process.cpu_percent over a wall interval: the CPU seconds used,
// user and system each as a difference (summing first and subtracting after left -3e-15 for
// an idle process), per wall second, as a percentage of one CPU rounded to 0.1, never below 0.
func cpuPercent(user0, sys0, user1, sys1, wall float64) float64 {
	if wall <= 0 {
		return 0
	}
	p := ((user1 - user0) + (sys1 - sys0)) / wall * 100
	if p <= 0 {
		return 0
	}
	return math.Round(p*10) / 10
}
