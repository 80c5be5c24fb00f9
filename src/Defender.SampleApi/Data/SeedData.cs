using Microsoft.EntityFrameworkCore;

namespace Defender.SampleApi.Data;

/// <summary>
/// The fleet every fresh database starts with: one machine for each situation the contract describes,
/// so each error code has a real reason to happen. Ids are fixed so docs and tests can name them.
/// </summary>
internal static class SeedData
{
    /// <summary>Windows 11, current agent, not isolated: every action succeeds.</summary>
    public const string HealthyWindowsId = "ea1a8ae60532f2c97278a389c27c275aa26cbc2d";

    /// <summary>Windows 10, current agent, not isolated: used for live response.</summary>
    public const string LiveResponseWindowsId = "2e5c9afc97e08cc577f26feede3dcc9851d01e45";

    /// <summary>Windows 10, already isolated: isolating it again is a DisallowedOperation.</summary>
    public const string IsolatedWindowsId = "188f657e6e881ed9209b8867ebe514e532a664ca";

    /// <summary>Windows Server 2019 domain controller.</summary>
    public const string DomainControllerId = "6ace1ce8889cde1a21ba53b2ad74e3582dc29d49";

    /// <summary>Windows Server 2022, inactive.</summary>
    public const string WebServerId = "e65d808eb40fbf0f7af9c7bf71f06d742386b53f";

    /// <summary>Windows 10 1709 with an agent older than the isolation minimum: ClientVersionNotSupported.</summary>
    public const string LegacyAgentId = "60cc34141293d2e1165a22a50abc3e5bef1fd724";

    /// <summary>Linux, not isolated: selective isolation is OsPlatformNotSupported.</summary>
    public const string LinuxId = "eece36c92f9563d17cbb6724f5befb31810402c5";

    /// <summary>Linux, isolated: releasing it succeeds.</summary>
    public const string IsolatedLinuxId = "918cefd042093154fab49f48f1711f59178e7d13";

    /// <summary>macOS, not isolated.</summary>
    public const string MacId = "c9419bbbbc0404de0075a130638bfc0e43b72b6c";

    /// <summary>macOS, inactive, high risk.</summary>
    public const string InactiveMacId = "b3e88060ae19c54a8040ea509fa35640270f9aca";

    /// <summary>Windows 11, informational risk.</summary>
    public const string SalesWindowsId = "78539f6c79663e8938cbeb943243b593c61b59ab";

    /// <summary>Windows 10, not isolated: free for experiments (and the Swagger UI walkthrough).</summary>
    public const string LabWindowsId = "ec763536f277057dfa0a36556d39fcec550cb6c5";

    private static readonly DateTime Seen = new(2025, 6, 2, 9, 0, 0, DateTimeKind.Utc);

    public static IReadOnlyList<Machine> Machines { get; } =
    [
        M(HealthyWindowsId, "ws-fin-001.contoso.local", "Windows11", "22H2", "Active", "Medium", 1, "10.8760.22621.2428"),
        M(LiveResponseWindowsId, "ws-hr-002.contoso.local", "Windows10", "21H2", "Active", "Low", 2, "10.8560.19041.3636"),
        M(IsolatedWindowsId, "ws-eng-003.contoso.local", "Windows10", "22H2", "ImpairedCommunication", "High", 30, "10.8760.19045.3570",
            IsolationStates.Isolated),
        M(DomainControllerId, "srv-dc-01.contoso.local", "WindowsServer2019", "1809", "Active", "High", 0, "10.8210.17763.5122"),
        M(WebServerId, "srv-web-02.contoso.local", "WindowsServer2022", "21H2", "Inactive", "None", 24 * 9, "10.8760.20348.2031"),
        M(LegacyAgentId, "ws-legacy-004.contoso.local", "Windows10", "1709", "Active", "Medium", 5, "10.3720.16299.15"),
        M(LinuxId, "lnx-build-01.contoso.local", "Linux", "Ubuntu 22.04", "Active", "Low", 3, "101.23082.0006"),
        M(IsolatedLinuxId, "lnx-db-02.contoso.local", "Linux", "RHEL 9.2", "NoSensorData", "Medium", 72, "101.23052.0011",
            IsolationStates.Isolated),
        M(MacId, "mac-design-01.contoso.local", "macOS", "14.1", "Active", "None", 4, "101.23092.0012"),
        M(InactiveMacId, "mac-exec-02.contoso.local", "macOS", "13.6", "Inactive", "High", 24 * 20, "101.22122.0017"),
        M(SalesWindowsId, "ws-sales-005.contoso.local", "Windows11", "23H2", "Active", "Informational", 6, "10.8760.22631.2861"),
        M(LabWindowsId, "ws-lab-006.contoso.local", "Windows10", "22H2", "Active", "Low", 7, "10.8760.19045.4046"),
    ];

    /// <summary>Adds the fleet and a few indicators when the database is new; an existing file database is kept as it is.</summary>
    public static void EnsureSeeded(SampleDbContext db)
    {
        db.Database.EnsureCreated();
        if (db.Machines.Any())
        {
            return;
        }

        db.Machines.AddRange(Machines.Select(Copy));
        db.Indicators.AddRange(
            I("44d88612fea8a8f36de82e1278abb02f", "FileMd5", "AlertAndBlock", "EICAR test file", "The EICAR anti-malware test file.", "High"),
            I("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f", "FileSha256", "AlertAndBlock", "EICAR test file",
                "The EICAR anti-malware test file.", "High"),
            I("malware.contoso-bad.example", "DomainName", "Block", "Known C2 domain", "Command and control seen in incident 4711.", "Medium"),
            I("203.0.113.66", "IpAddress", "Audit", "Scanner", "Port scans from a documentation range.", "Low"),
            I("https://phish.contoso-bad.example/login", "Url", "Warn", "Phishing page", "Credential phishing.", "Medium"));
        db.SaveChanges();
    }

    private static Machine M(string id, string dnsName, string platform, string osVersion, string health, string risk, int hoursAgo,
        string agentVersion, string isolation = IsolationStates.NotIsolated) => new()
    {
        Id = id,
        ComputerDnsName = dnsName,
        OsPlatform = platform,
        OsVersion = osVersion,
        HealthStatus = health,
        RiskScore = risk,
        LastSeen = Seen.AddHours(-hoursAgo),
        AgentVersion = agentVersion,
        IsolationState = isolation,
    };

    // Each database gets its own instances: EF Core tracks what it is given, and the list above is shared.
    private static Machine Copy(Machine m) => new()
    {
        Id = m.Id,
        ComputerDnsName = m.ComputerDnsName,
        OsPlatform = m.OsPlatform,
        OsVersion = m.OsVersion,
        HealthStatus = m.HealthStatus,
        RiskScore = m.RiskScore,
        LastSeen = m.LastSeen,
        AgentVersion = m.AgentVersion,
        IsolationState = m.IsolationState,
    };

    private static Indicator I(string value, string type, string action, string title, string description, string severity) => new()
    {
        IndicatorValue = value,
        IndicatorType = type,
        Action = action,
        Title = title,
        Description = description,
        Severity = severity,
        CreationTimeDateTimeUtc = Seen.AddDays(-10),
        CreatedBy = "seed",
    };
}
