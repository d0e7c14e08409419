# poshpool: ending what a session's commands left running on another host. Loaded after
# integration.ps1 in sessions that run over ssh (launch.ts loadIntegrationScript): poshpool cannot
# read that host's process table, so pwsh there does it, with nothing installed. Windows PowerShell
# 5.1 syntax (scripts/ps51-syntax.ps1 checks it).
#
#   & $global:__poshpool.EndLeftovers <seq>   what command <seq> (the one before this call) started
#   & $global:__poshpool.EndLeftovers 0       what any command started since pwsh started (the reset)
#
# It ends the processes started since then (by this host's own clock, recorded as each command
# began: no clock of poshpool's machine is compared) that descend from pwsh ($PID) or carry the
# session's tag ($env:POSHPOOL_SESSION, set by integration.ps1 at start-up and inherited by every
# child, so a process that left pwsh's tree (setsid, nohup after its parent died, a daemon) is found
# too), pwsh and its ancestors spared. Killed with SIGKILL (Process.Kill; TerminateProcess on
# Windows), then awaited (up to a second). Its last line is the verdict (sessionLeftovers.ts):
#   poshpool-leftovers:ended:<pid>,<pid>,...     (nothing after the colon: none)
#   poshpool-leftovers:failed:<reason>
# Per OS: Linux reads /proc (parent, start time, and the environment of the user's own processes);
# macOS lists `ps -axo pid=,ppid=,lstart=` (start times in whole seconds; another process's
# environment cannot be read reliably there (ps -E shows it only for some processes, truncated), so
# only pwsh's descendants are found); Windows lists Win32_Process (ParentProcessId, CreationDate:
# learn.microsoft.com/windows/win32/cimwin32prov/win32-process; a parent id may have been reused, so a
# child older than its would-be parent is not its child) and cannot read other processes'
# environments either.

$global:__poshpool.EndLeftovers = {
    param([int]$Seq)
    Set-StrictMode -Off
    $ErrorActionPreference = 'Continue'
    $pp = $global:__poshpool
    # What this call adds to $Error (a process that ended while it was looked at) is not the session's.
    $mark = $null
    if ($global:Error.Count -gt 0) { $mark = $global:Error[0] }
    $verdict = 'poshpool-leftovers:ended:'
    try {
        $inv = [Globalization.CultureInfo]::InvariantCulture
        $epoch = New-Object DateTime 1970, 1, 1, 0, 0, 0, ([DateTimeKind]::Utc)
        $nowMs = ([DateTime]::UtcNow - $epoch).TotalMilliseconds
        $windows = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
        $linux = (-not $windows) -and $IsLinux
        # Rows: pid -> @{ Ppid; Start (epoch ms, or $null); Tagged }.
        $rows = @{}
        $slackMs = 20
        if ($linux) {
            # USER_HZ is 100 on every Linux architecture pwsh runs on. The boot time is now minus
            # /proc/uptime (10 ms steps), not /proc/stat's btime, whose whole seconds put start times
            # up to a second early (processTree.ts found it).
            $uptime = [double]::Parse([IO.File]::ReadAllText('/proc/uptime').Split(' ')[0], $inv)
            $bootMs = $nowMs - $uptime * 1000
            $nul = [string][char]0
            $tagEntry = $nul + 'POSHPOOL_SESSION=' + [string]$env:POSHPOOL_SESSION + $nul
            $latin1 = [Text.Encoding]::GetEncoding(28591)
            foreach ($dir in [IO.Directory]::GetDirectories('/proc')) {
                $name = [IO.Path]::GetFileName($dir)
                if ($name -notmatch '^\d+$') { continue }
                # After the command name: state, ppid, pgrp, session, ..., starttime (field 22).
                try {
                    $stat = [IO.File]::ReadAllText($dir + '/stat')
                    $f = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
                    $row = @{ Ppid = [int]$f[1]; Start = $bootMs + [double]::Parse($f[19], $inv) * 10; Tagged = $false }
                } catch { continue } # it ended while the table was read
                if ($f[0] -eq 'Z') { continue }
                if ($env:POSHPOOL_SESSION) {
                    # Readable for the user's own processes only; another's is not ours to find.
                    try { $row.Tagged = ($nul + $latin1.GetString([IO.File]::ReadAllBytes($dir + '/environ'))).Contains($tagEntry) } catch { $row.Tagged = $false }
                }
                $rows[[int]$name] = $row
            }
        } elseif ($windows) {
            foreach ($p in (Get-CimInstance -ClassName Win32_Process -ErrorAction Stop)) {
                $start = $null
                if ($p.CreationDate) { $start = ($p.CreationDate.ToUniversalTime() - $epoch).TotalMilliseconds }
                $rows[[int]$p.ProcessId] = @{ Ppid = [int]$p.ParentProcessId; Start = $start; Tagged = $false }
            }
        } else {
            # ps(1): lstart is the start in whole seconds, in the C locale's words ("Tue Mar  5 10:11:12 2024").
            $slackMs = 1000
            foreach ($line in (& /usr/bin/env LC_ALL=C /bin/ps -axo 'pid=,ppid=,lstart=')) {
                $w = ([string]$line).Trim() -split '\s+'
                if ($w.Count -lt 7) { continue }
                $start = $null
                try { $start = ([DateTime]::ParseExact($w[3] + ' ' + $w[4] + ' ' + $w[5] + ' ' + $w[6], 'MMM d HH:mm:ss yyyy', $inv).ToUniversalTime() - $epoch).TotalMilliseconds } catch { $start = $null }
                $rows[[int]$w[0]] = @{ Ppid = [int]$w[1]; Start = $start; Tagged = $false }
            }
        }
        $self = $rows[$PID]
        if ($null -eq $self) { throw "pwsh's own process ($PID) is not in the process table" }
        # Since when: the start of command <seq> as this host recorded it (integration.ps1
        # Enter-PoshpoolCommand), or pwsh's own start.
        $since = $null
        if ($Seq -eq 0) { $since = $self.Start }
        elseif ($pp.PrevSeq -eq $Seq -and $null -ne $pp.PrevStart) { $since = ($pp.PrevStart - $epoch).TotalMilliseconds }
        else { return $verdict } # command <seq> never began here: it started nothing
        # pwsh and its ancestors (sshd's, a login shell; they may carry the tag if ssh passed it on).
        $spared = @{ }
        $at = $PID
        while ($null -ne $at -and -not $spared.ContainsKey($at)) {
            $spared[$at] = $true
            if ($rows.ContainsKey($at)) { $at = $rows[$at].Ppid } else { $at = $null }
        }
        $children = @{ }
        foreach ($id in $rows.Keys) {
            $parent = $rows[$id].Ppid
            if (-not $children.ContainsKey($parent)) { $children[$parent] = New-Object System.Collections.ArrayList }
            [void]$children[$parent].Add($id)
        }
        # Descendants of pwsh and of every tagged process; a child older than its would-be parent is not its child.
        $found = @{ }
        $stack = New-Object System.Collections.Stack
        $stack.Push($PID)
        foreach ($id in $rows.Keys) { if ($rows[$id].Tagged -and -not $spared.ContainsKey($id)) { $found[$id] = $true; $stack.Push($id) } }
        while ($stack.Count -gt 0) {
            $id = $stack.Pop()
            if (-not $children.ContainsKey($id)) { continue }
            foreach ($child in $children[$id]) {
                if ($found.ContainsKey($child) -or $spared.ContainsKey($child)) { continue }
                $cs = $rows[$child].Start
                $ps = $rows[$id].Start
                if ($null -ne $cs -and $null -ne $ps -and $cs + $slackMs -lt $ps) { continue }
                $found[$child] = $true
                $stack.Push($child)
            }
        }
        $doomed = New-Object System.Collections.ArrayList
        foreach ($id in $found.Keys) {
            $s = $rows[$id].Start
            # Without a start time nothing tells it apart: it goes.
            if ($null -eq $s -or $null -eq $since -or $s + $slackMs -ge $since) { [void]$doomed.Add($id) }
        }
        $ended = New-Object System.Collections.ArrayList
        $killed = New-Object System.Collections.ArrayList
        foreach ($id in ($doomed | Sort-Object)) {
            try {
                $proc = [Diagnostics.Process]::GetProcessById($id)
                $proc.Kill()
                [void]$ended.Add($id)
                [void]$killed.Add($proc)
            } catch {
                # Already gone (or not ours to end): nothing to do.
            }
        }
        # The verdict says they were ended: they are gone (or zombies waiting to be collected) when it is given.
        $deadline = [DateTime]::UtcNow.AddMilliseconds(1000)
        foreach ($proc in $killed) {
            while ([DateTime]::UtcNow -lt $deadline) {
                $gone = $false
                if ($linux) {
                    try { $st = [IO.File]::ReadAllText('/proc/' + $proc.Id + '/stat'); $gone = $st.Substring($st.LastIndexOf(')') + 2, 1) -eq 'Z' } catch { $gone = $true }
                } else {
                    try { $gone = $proc.WaitForExit(50) } catch { $gone = $true }
                }
                if ($gone) { break }
                Start-Sleep -Milliseconds 10
            }
        }
        $verdict += ($ended -join ',')
    } catch {
        $verdict = 'poshpool-leftovers:failed:' + ([string]$_.Exception.Message).Replace("`n", ' ')
    } finally {
        while ($global:Error.Count -gt 0 -and -not [object]::ReferenceEquals($global:Error[0], $mark)) { $global:Error.RemoveAt(0) }
    }
    $verdict
}
