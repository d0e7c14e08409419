<#
poshpool's stdio relay: an MCP client runs this with Windows PowerShell 5.1 (every Windows machine
has powershell.exe) to reach the running poshpool host. The installed app cannot be that bridge
itself: Electron gives a Windows GUI app an stdin that is always at end-of-file (electron/electron
#4218, #21705), and the machine may have no Node.js.

  1. Find the host in <DataDir>\host.json; when none runs, start the app (-AppPath) and wait for one.
  2. Connect to its named pipe (on Linux/macOS .NET's NamedPipeClientStream takes an absolute path as
     the Unix socket itself, which is how the tests reach a real host) and pass the token handshake:
     one JSON line {"poshpool":1,"token":"...","cwd":"..."}, answered {"ok":true} or {"ok":false,"reason":"..."}.
     The token is read from the host's token file, never from the command line.
  3. Relay bytes both ways between stdin/stdout and the pipe, unchanged, until either side closes.

stdout carries only the host's bytes; every message goes to stderr as one "poshpool relay:" line.
Exit codes: 0 when the client closed its input, 1 when the host could not be reached or went away,
2 for bad arguments.

Windows PowerShell 5.1 and PowerShell 7 both run this: no 7-only syntax, .NET Framework 4.5 APIs.
Keep it ASCII (a -File script without a BOM is read in the ANSI code page by 5.1) and never use the
automatic input variable: a console host that sees it reads stdin itself (ConsoleHost.cs,
AstSearcher.IsUsingDollarInput), which would steal the client's bytes.
#>
param(
    # poshpool's data dir (host.json). Default: $env:POSHPOOL_DATA_DIR, else %LOCALAPPDATA%\poshpool.
    [string]$DataDir = '',
    # The program that starts a host when none runs (the installed poshpool.exe); none: do not start one.
    [string]$AppPath = '',
    # Arguments for -AppPath (a development checkout: electron.exe and the app folder).
    [string[]]$AppArguments = @(),
    # How long to wait for a host after starting -AppPath.
    [int]$StartTimeoutSeconds = 60,
    # How long connecting and the handshake answer may each take.
    [int]$ConnectTimeoutMilliseconds = 5000
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
# Made before any read of stdin starts: .NET Framework creates the console writers under a lock that
# a console read can hold.
$null = [Console]::Error

# Longest handshake answer line (bytes, newline included): handshake.ts DEFAULT_MAX_HELLO_BYTES.
$MaxAnswerBytes = 4096
# Pause between looks for host.json while a started app comes up.
$PollMilliseconds = 250
# Connect timeout while probing a host that a fresh host.json names.
$ProbeTimeoutMilliseconds = 1000

function Write-RelayError([string]$Text) {
    [Console]::Error.WriteLine('poshpool relay: ' + $Text)
    [Console]::Error.Flush()
}

function Resolve-DataDir([string]$Given) {
    if ($Given -ne '') { return $Given }
    if ($env:POSHPOOL_DATA_DIR) { return $env:POSHPOOL_DATA_DIR }
    if ($env:LOCALAPPDATA) { return (Join-Path $env:LOCALAPPDATA 'poshpool') }
    return ''
}

# host.json as an object when the host that wrote it is alive, else $null.
function Read-LiveHostInfo([string]$File) {
    if (-not [System.IO.File]::Exists($File)) { return $null }
    try {
        $info = [System.IO.File]::ReadAllText($File) | ConvertFrom-Json
    } catch {
        # Being replaced right now, or broken: the caller looks again or reports no host.
        return $null
    }
    foreach ($field in @('pid', 'socketPath', 'tokenFile')) {
        if ($null -eq $info.PSObject.Properties[$field]) { return $null }
    }
    if ($null -eq (Get-Process -Id ([int]$info.pid) -ErrorAction SilentlyContinue)) { return $null }
    return $info
}

# The name NamedPipeClientStream wants: \\.\pipe\<name> loses its prefix; a Unix socket path stays whole.
function Get-PipeName([string]$SocketPath) {
    if ($SocketPath -match '^\\\\[.?]\\pipe\\(.+)$') { return $Matches[1] }
    return $SocketPath
}

# A connected pipe, or $null when nothing listens there within the timeout.
function Connect-HostPipe([string]$SocketPath, [int]$TimeoutMs) {
    $pipe = New-Object System.IO.Pipes.NamedPipeClientStream('.', (Get-PipeName $SocketPath), [System.IO.Pipes.PipeDirection]::InOut, [System.IO.Pipes.PipeOptions]::Asynchronous)
    try {
        $pipe.Connect($TimeoutMs)
    } catch [System.TimeoutException] {
        $pipe.Dispose()
        return $null
    } catch {
        $pipe.Dispose()
        throw
    }
    return $pipe
}

# Quotes one argument for a Windows command line (the rules CommandLineToArgvW and .NET on Unix both read).
function ConvertTo-CommandLineArgument([string]$Arg) {
    if ($Arg -ne '' -and $Arg -notmatch '[\s"]') { return $Arg }
    $escaped = [regex]::Replace($Arg, '(\\*)"', { param($m) $m.Groups[1].Value + $m.Groups[1].Value + '\"' })
    $escaped = [regex]::Replace($escaped, '(\\+)$', { param($m) $m.Groups[1].Value + $m.Groups[1].Value })
    return '"' + $escaped + '"'
}

function Start-App([string]$Path, [string[]]$Arguments) {
    $psi = New-Object System.Diagnostics.ProcessStartInfo
    $psi.FileName = $Path
    $psi.Arguments = (@($Arguments | ForEach-Object { ConvertTo-CommandLineArgument $_ }) -join ' ')
    # Through the shell: the app inherits none of our handles (with CreateProcess it would keep the
    # client's stdout pipe open after we exit; dotnet/runtime#39602), and it outlives the client (a
    # Node client's kill-on-close job lets our children break away silently: libuv src/win/process.c).
    $psi.UseShellExecute = $true
    # Not the client's folder: a long-lived process would keep it from being renamed or deleted.
    $psi.WorkingDirectory = [System.IO.Path]::GetDirectoryName($Path)
    [void][System.Diagnostics.Process]::Start($psi)
}

# Sends the hello and reads the answer line. Returns @{ ok; reason; rest } (rest: bytes after the line).
function Invoke-Handshake($Pipe, [string]$Token, [int]$TimeoutMs) {
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    # The relay's working directory (the client's project, when the client launched it): the client's
    # sessions begin there when it declares no MCP roots. Left out when too long for the hello line.
    $cwd = [Environment]::CurrentDirectory
    $cwdField = ''
    if ($cwd -and $cwd.Length -le 1024) { $cwdField = ',"cwd":' + (ConvertTo-Json -InputObject $cwd -Compress) }
    $hello = $utf8.GetBytes('{"poshpool":1,"token":' + (ConvertTo-Json -InputObject $Token -Compress) + $cwdField + "}`n")
    $Pipe.Write($hello, 0, $hello.Length)
    $Pipe.Flush()
    $received = New-Object System.IO.MemoryStream
    $buffer = New-Object byte[] 4096
    $deadline = [DateTime]::UtcNow.AddMilliseconds($TimeoutMs)
    while ($true) {
        $bytes = $received.ToArray()
        $newline = [Array]::IndexOf($bytes, [byte]10)
        if ($newline -ge 0) { break }
        if ($bytes.Length -ge $MaxAnswerBytes) {
            return @{ ok = $false; reason = "the answer to the hello is longer than $MaxAnswerBytes bytes: is something else listening there?" }
        }
        $left = [int]($deadline - [DateTime]::UtcNow).TotalMilliseconds
        $read = $Pipe.ReadAsync($buffer, 0, $buffer.Length)
        if ($left -le 0 -or -not $read.Wait($left)) {
            return @{ ok = $false; reason = "no answer to the hello within $TimeoutMs ms: is the host stuck? Restart it." }
        }
        if ($read.Result -eq 0) {
            return @{ ok = $false; reason = 'the host closed the connection before answering the hello' }
        }
        $received.Write($buffer, 0, $read.Result)
    }
    $line = $utf8.GetString($bytes, 0, $newline).TrimEnd("`r")
    $rest = New-Object byte[] ($bytes.Length - $newline - 1)
    [Array]::Copy($bytes, $newline + 1, $rest, 0, $rest.Length)
    try {
        $answer = $line | ConvertFrom-Json
    } catch {
        $answer = $null
    }
    if ($null -ne $answer -and $null -ne $answer.PSObject.Properties['ok']) {
        if ($answer.ok -eq $true) { return @{ ok = $true; rest = $rest } }
        $reason = 'no reason given'
        if ($null -ne $answer.PSObject.Properties['reason']) { $reason = [string]$answer.reason }
        return @{ ok = $false; reason = 'the host refused the connection: ' + $reason }
    }
    return @{ ok = $false; reason = 'the answer to the hello is not a poshpool handshake: is something else listening there?' }
}

function Get-TaskError($Task) {
    if ($null -eq $Task.Exception) { return 'unknown error' }
    return $Task.Exception.GetBaseException().Message
}

function Invoke-Relay {
    $dir = Resolve-DataDir $DataDir
    if ($dir -eq '') {
        Write-RelayError 'no data dir: pass -DataDir <poshpool data dir> (or set POSHPOOL_DATA_DIR).'
        return 2
    }
    if ($AppPath -ne '' -and -not [System.IO.File]::Exists($AppPath)) {
        Write-RelayError "-AppPath $AppPath does not exist: copy the client config again from the poshpool tray menu."
        return 2
    }
    $hostFile = Join-Path $dir 'host.json'

    $info = Read-LiveHostInfo $hostFile
    $pipe = $null
    if ($null -ne $info) {
        $pipe = Connect-HostPipe ([string]$info.socketPath) $ConnectTimeoutMilliseconds
    }
    if ($null -eq $pipe) {
        if ($AppPath -eq '') {
            Write-RelayError "no poshpool host is running (no live host in $hostFile): start the poshpool app, or pass -AppPath so this relay starts it."
            return 1
        }
        Start-App $AppPath $AppArguments
        $deadline = [DateTime]::UtcNow.AddSeconds($StartTimeoutSeconds)
        while ($null -eq $pipe) {
            if ([DateTime]::UtcNow -ge $deadline) {
                Write-RelayError "started $AppPath, but no poshpool host came up within $StartTimeoutSeconds s (no live host in $hostFile): open poshpool from the Start menu and see its log in $(Join-Path $dir 'logs')."
                return 1
            }
            Start-Sleep -Milliseconds $PollMilliseconds
            $info = Read-LiveHostInfo $hostFile
            if ($null -ne $info) { $pipe = Connect-HostPipe ([string]$info.socketPath) $ProbeTimeoutMilliseconds }
        }
    }
    $where = [string]$info.socketPath

    try {
        $tokenFile = [string]$info.tokenFile
        try {
            $token = [System.IO.File]::ReadAllText($tokenFile).Trim()
        } catch {
            Write-RelayError "cannot read the token file ${tokenFile}: $($_.Exception.Message)"
            return 1
        }
        if ($token -eq '') {
            Write-RelayError "the token file $tokenFile is empty: restart poshpool so it writes a new one."
            return 1
        }
        $shaken = Invoke-Handshake $pipe $token $ConnectTimeoutMilliseconds
        if (-not $shaken.ok) {
            Write-RelayError "$($shaken.reason) (host at $where)"
            return 1
        }

        $stdin = [Console]::OpenStandardInput()
        $stdout = [Console]::OpenStandardOutput()
        if ($shaken.rest.Length -gt 0) {
            $stdout.Write($shaken.rest, 0, $shaken.rest.Length)
            $stdout.Flush()
        }
        # Two copies at once; the first to end decides. Raw streams: no encoding, no BOM, no buffering.
        $toHost = $stdin.CopyToAsync($pipe)
        $toClient = $pipe.CopyToAsync($stdout)
        [void][System.Threading.Tasks.Task]::WaitAny([System.Threading.Tasks.Task[]]@($toHost, $toClient))
        if ($toHost.IsCompleted) {
            if ($toHost.Status -eq [System.Threading.Tasks.TaskStatus]::RanToCompletion) { return 0 }
            Write-RelayError "reading the client's input failed: $(Get-TaskError $toHost)"
            return 1
        }
        # A host that stops may end the connection or reset it (an IOException: "Connection reset by
        # peer", "Pipe is broken"): for the client both mean the same.
        $how = ''
        if ($toClient.Status -ne [System.Threading.Tasks.TaskStatus]::RanToCompletion) { $how = " ($(Get-TaskError $toClient))" }
        Write-RelayError "the poshpool host at $where closed the connection$how (it stopped or restarted); reconnect your MCP client."
        return 1
    } finally {
        $pipe.Dispose()
    }
}

try {
    $code = Invoke-Relay
} catch {
    Write-RelayError "failed: $($_.Exception.Message)"
    $code = 1
}
exit $code
