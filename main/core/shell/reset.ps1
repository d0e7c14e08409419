# poshpool session reset. Loaded right after integration.ps1 at start-up (5.1-safe syntax, like it).
# It records the session as it stands at start-up (the baseline) and defines the reset that puts a
# session back to that state between two leases, so a session lent to one client can be lent to the
# next without a new pwsh start. The reset then checks its work and prints one verdict line:
#   poshpool-reset:ok
#   poshpool-reset:dirty:<reason>; <reason>; ...
# A dirty session is never lent again: poshpool ends it and starts a fresh one.
#
# What is reset: variables, functions, aliases, modules, PSDrives, environment variables, the current
# location (and its stack), jobs, runspaces, event subscribers and queued events, breakpoints,
# strict mode, culture, $Error, $LASTEXITCODE and the history.
# What cannot be undone in a process, so it makes the session dirty: an assembly loaded from outside
# PowerShell's and .NET's own directories (Add-Type, a binary module), a class defined in PowerShell
# (a dynamic assembly), a variable made Constant, anything the reset could not remove.
# This protects one agent from state another left behind by accident. It is not a sandbox: code that
# sets out to survive (reflection into the engine) can, as everywhere else in the user's account.

$global:__poshpool.Baseline = & {
    $b = @{}
    $b.Vars = @{}
    foreach ($v in (Get-Variable -Scope Global)) { $b.Vars[$v.Name] = $v.Value }
    $b.Functions = @{}
    foreach ($f in (Get-ChildItem -Path function:)) { $b.Functions[$f.Name] = $f.ScriptBlock }
    $b.Aliases = @{}
    foreach ($a in (Get-ChildItem -Path alias:)) { $b.Aliases[$a.Name] = @{ Definition = $a.Definition; Options = $a.Options } }
    $b.Modules = @{}
    foreach ($m in (Get-Module)) { $b.Modules[$m.Path] = $m }
    $b.Drives = @{}
    foreach ($d in (Get-PSDrive)) { $b.Drives[$d.Name] = $true }
    $b.Env = @{}
    foreach ($e in ([Environment]::GetEnvironmentVariables()).GetEnumerator()) { $b.Env[[string]$e.Key] = [string]$e.Value }
    $b.Location = (Get-Location).Path
    $b.Culture = [Threading.Thread]::CurrentThread.CurrentCulture
    $b.UICulture = [Threading.Thread]::CurrentThread.CurrentUICulture
    $b.Runspace = $Host.Runspace
    $b.AssemblyDirs = @([IO.Path]::GetFullPath($PSHOME), [IO.Path]::GetFullPath([Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()))
    $b.Assemblies = New-Object 'System.Collections.Generic.HashSet[object]'
    foreach ($asm in [AppDomain]::CurrentDomain.GetAssemblies()) { [void]$b.Assemblies.Add($asm) }
    if ($PSStyle) { $b.OutputRendering = $PSStyle.OutputRendering }
    # Automatic variables PowerShell itself changes as commands run: never restored or removed.
    $b.Automatic = @{}
    foreach ($n in @('?', '^', '$', '_', 'args', 'input', 'Error', 'PWD', 'LASTEXITCODE', 'MyInvocation', 'PSItem', 'NestedPromptLevel', 'PSCmdlet', 'PSBoundParameters', 'foreach', 'switch', 'this', 'Event', 'EventArgs', 'EventSubscriber', 'Sender', 'ExecutionContext', 'Host', 'PID', 'HOME', 'PSHOME', 'ShellId', 'true', 'false', 'null', '__poshpool')) { $b.Automatic[$n] = $true }
    return $b
}

$global:__poshpool.Reset = {
    $b = $global:__poshpool.Baseline
    $dirty = New-Object System.Collections.ArrayList
    # Each step on its own: one that fails is reported, the others still run. (A script block, not
    # a function: the reset removes every function that was not there at start-up.)
    $step = {
        param([string]$What, [scriptblock]$Do)
        try { & $Do } catch { [void]$dirty.Add($What + ': ' + $_.Exception.Message) }
    }

    & $step 'jobs' { Get-Job | Remove-Job -Force -ErrorAction Stop }
    & $step 'events' {
        Get-EventSubscriber -Force | Unregister-Event -Force -ErrorAction Stop
        Get-Event | Remove-Event -ErrorAction Stop
    }
    & $step 'breakpoints' { Get-PSBreakpoint | Remove-PSBreakpoint -ErrorAction Stop; Set-PSDebug -Off; Set-StrictMode -Off }
    & $step 'runspaces' {
        foreach ($r in (Get-Runspace)) {
            if (-not [object]::ReferenceEquals($r, $b.Runspace)) { $r.Dispose() }
        }
    }
    & $step 'modules' {
        foreach ($m in (Get-Module)) {
            if (-not [object]::ReferenceEquals($b.Modules[$m.Path], $m)) { Remove-Module -ModuleInfo $m -Force -ErrorAction Stop }
        }
    }
    & $step 'functions' {
        foreach ($f in (Get-ChildItem -Path function:)) {
            if (-not $b.Functions.ContainsKey($f.Name)) { Remove-Item -LiteralPath ('function:' + $f.Name) -Force -ErrorAction Stop }
        }
        foreach ($k in $b.Functions.Keys) {
            $now = Get-Item -LiteralPath ('function:' + $k) -ErrorAction Ignore
            if ($null -eq $now -or -not [object]::ReferenceEquals($now.ScriptBlock, $b.Functions[$k])) {
                Set-Item -LiteralPath ('function:global:' + $k) -Value $b.Functions[$k] -Force -ErrorAction Stop
            }
        }
    }
    & $step 'aliases' {
        foreach ($a in (Get-ChildItem -Path alias:)) {
            $was = $b.Aliases[$a.Name]
            if ($null -eq $was) { Remove-Item -LiteralPath ('alias:' + $a.Name) -Force -ErrorAction Stop }
            elseif ($a.Definition -ne $was.Definition -or $a.Options -ne $was.Options) { Set-Alias -Name $a.Name -Value $was.Definition -Option $was.Options -Scope Global -Force -ErrorAction Stop }
        }
        foreach ($k in $b.Aliases.Keys) {
            if (-not (Test-Path -LiteralPath ('alias:' + $k))) { Set-Alias -Name $k -Value $b.Aliases[$k].Definition -Option $b.Aliases[$k].Options -Scope Global -Force -ErrorAction Stop }
        }
    }
    & $step 'variables' {
        foreach ($v in (Get-Variable -Scope Global)) {
            if ($b.Automatic.ContainsKey($v.Name)) { continue }
            if (-not $b.Vars.ContainsKey($v.Name)) {
                Remove-Variable -Name $v.Name -Scope Global -Force -ErrorAction Stop
            } elseif (-not [object]::ReferenceEquals($v.Value, $b.Vars[$v.Name]) -and -not ($v.Options -band [System.Management.Automation.ScopedItemOptions]::Constant)) {
                Set-Variable -Name $v.Name -Scope Global -Value $b.Vars[$v.Name] -Force -ErrorAction Stop
            }
        }
        foreach ($k in $b.Vars.Keys) {
            if (-not $b.Automatic.ContainsKey($k) -and $null -eq (Get-Variable -Name $k -Scope Global -ErrorAction Ignore)) {
                Set-Variable -Name $k -Scope Global -Value $b.Vars[$k] -Force -ErrorAction Stop
            }
        }
        if ($global:PSDefaultParameterValues) { $global:PSDefaultParameterValues.Clear() }
        if ($PSStyle -and $null -ne $b.OutputRendering) { $PSStyle.OutputRendering = $b.OutputRendering }
        $global:LASTEXITCODE = 0
    }
    & $step 'environment' {
        $now = [Environment]::GetEnvironmentVariables()
        foreach ($k in @($now.Keys)) {
            if (-not $b.Env.ContainsKey([string]$k)) { [Environment]::SetEnvironmentVariable([string]$k, $null) }
        }
        foreach ($k in $b.Env.Keys) {
            if ([Environment]::GetEnvironmentVariable($k) -cne $b.Env[$k]) { [Environment]::SetEnvironmentVariable($k, $b.Env[$k]) }
        }
    }
    & $step 'drives' {
        foreach ($d in (Get-PSDrive)) {
            if (-not $b.Drives.ContainsKey($d.Name)) { Remove-PSDrive -Name $d.Name -Scope Global -Force -ErrorAction Stop }
        }
    }
    & $step 'location' {
        # Get-Location -Stack returns the stack itself (never null): pop by its count.
        $depth = (Get-Location -Stack).Count
        for ($i = 0; $i -lt $depth; $i++) { Pop-Location }
        Set-Location -LiteralPath $b.Location -ErrorAction Stop
        [Environment]::CurrentDirectory = $b.Location
    }
    & $step 'culture' {
        [Threading.Thread]::CurrentThread.CurrentCulture = $b.Culture
        [Threading.Thread]::CurrentThread.CurrentUICulture = $b.UICulture
    }

    # What a process cannot take back: code loaded into it from elsewhere.
    foreach ($asm in [AppDomain]::CurrentDomain.GetAssemblies()) {
        if ($b.Assemblies.Contains($asm)) { continue }
        $where = ''
        if (-not $asm.IsDynamic) { $where = [string]$asm.Location }
        $own = $false
        if ($where) {
            $full = [IO.Path]::GetFullPath($where)
            foreach ($dir in $b.AssemblyDirs) { if ($full.StartsWith($dir, [StringComparison]::OrdinalIgnoreCase)) { $own = $true } }
        }
        # A framework assembly loaded on first use is part of PowerShell: remember it as such. So is
        # the dynamic assembly PowerShell emits its event handler types into (Register-ObjectEvent).
        if ($asm.IsDynamic -and $asm.GetName().Name -eq 'PSEventHandler') { $own = $true }
        if ($own) { [void]$b.Assemblies.Add($asm) }
        else { [void]$dirty.Add('code was loaded into the process: ' + $asm.GetName().Name) }
    }

    # Verify: what must be gone is gone.
    $left = @(Get-Job).Count
    if ($left -gt 0) { [void]$dirty.Add("$left jobs remain") }
    $left = @(Get-Runspace | Where-Object { -not [object]::ReferenceEquals($_, $b.Runspace) }).Count
    if ($left -gt 0) { [void]$dirty.Add("$left runspaces remain") }
    $left = @(Get-EventSubscriber -Force).Count
    if ($left -gt 0) { [void]$dirty.Add("$left event subscribers remain") }
    foreach ($v in (Get-Variable -Scope Global)) {
        if (-not $b.Automatic.ContainsKey($v.Name) -and -not $b.Vars.ContainsKey($v.Name)) { [void]$dirty.Add('variable $' + $v.Name + ' remains') }
    }
    foreach ($f in (Get-ChildItem -Path function:)) {
        if (-not $b.Functions.ContainsKey($f.Name)) { [void]$dirty.Add('function ' + $f.Name + ' remains') }
    }
    foreach ($m in (Get-Module)) {
        if (-not [object]::ReferenceEquals($b.Modules[$m.Path], $m)) { [void]$dirty.Add('module ' + $m.Name + ' remains') }
    }
    foreach ($a in (Get-ChildItem -Path alias:)) {
        if (-not $b.Aliases.ContainsKey($a.Name)) { [void]$dirty.Add('alias ' + $a.Name + ' remains') }
    }
    if ((Get-Location).Path -ne $b.Location) { [void]$dirty.Add('the location is ' + (Get-Location).Path) }

    $global:Error.Clear()
    # The next prompt clears the history (this reset's own line included).
    $global:__poshpool.HistoryReady = $false
    if ($dirty.Count -eq 0) { 'poshpool-reset:ok' } else { 'poshpool-reset:dirty:' + ($dirty -join '; ') }
}
