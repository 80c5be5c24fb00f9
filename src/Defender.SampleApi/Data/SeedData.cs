using Microsoft.EntityFrameworkCore;

namespace Defender.SampleApi.Data;

/// <summary>
/// The fleet every fresh database starts with: one machine for each situation the contract describes, so each error code has
/// a real reason to happen, and between them every documented platform, exposure level, device value, tag and group shape.
/// Ids are fixed so docs and tests can name them.
/// </summary>
internal static class SeedData
{
    /// <summary>Windows 11, current agent, not isolated: every action succeeds.</summary>
    public const string HealthyWindowsId = "ea1a8ae60532f2c97278a389c27c275aa26cbc2d";

    /// <summary>Windows 10, current agent, not isolated: used for live response.</summary>
    public const string LiveResponseWindowsId = "2e5c9afc97e08cc577f26feede3dcc9851d01e45";

    /// <summary>Windows 10, already isolated: isolating it again is "Action is already in progress".</summary>
    public const string IsolatedWindowsId = "188f657e6e881ed9209b8867ebe514e532a664ca";

    /// <summary>Windows Server 2019 domain controller.</summary>
    public const string DomainControllerId = "6ace1ce8889cde1a21ba53b2ad74e3582dc29d49";

    /// <summary>Windows Server 2022, inactive.</summary>
    public const string WebServerId = "e65d808eb40fbf0f7af9c7bf71f06d742386b53f";

    /// <summary>Windows 10 1709 with an agent older than the actions' minimum: ClientVersionNotSupported.</summary>
    public const string LegacyAgentId = "60cc34141293d2e1165a22a50abc3e5bef1fd724";

    /// <summary>Linux, not isolated: selective isolation is OsPlatformNotSupported, full isolation works.</summary>
    public const string LinuxId = "eece36c92f9563d17cbb6724f5befb31810402c5";

    /// <summary>Linux, isolated: releasing it succeeds.</summary>
    public const string IsolatedLinuxId = "918cefd042093154fab49f48f1711f59178e7d13";

    /// <summary>macOS, not isolated: isolation, scans, app restriction and offboarding are OsPlatformNotSupported.</summary>
    public const string MacId = "c9419bbbbc0404de0075a130638bfc0e43b72b6c";

    /// <summary>macOS, inactive, high risk.</summary>
    public const string InactiveMacId = "b3e88060ae19c54a8040ea509fa35640270f9aca";

    /// <summary>Windows 11, informational risk.</summary>
    public const string SalesWindowsId = "78539f6c79663e8938cbeb943243b593c61b59ab";

    /// <summary>Windows 10, not isolated: free for experiments (and the Swagger UI walkthrough).</summary>
    public const string LabWindowsId = "ec763536f277057dfa0a36556d39fcec550cb6c5";

    /// <summary>A discovered, unmanaged Windows device (no sensor): only <c>IsolationType: UnManagedDevice</c> applies to it.</summary>
    public const string UnmanagedDeviceId = "f3b1c7a2d5e94c0b8a6e1d2c3b4a596877665544";

    /// <summary>Windows 11, current agent: used by the scan, app restriction, investigation package and offboarding examples.</summary>
    public const string ResponderWindowsId = "a0b1c2d3e4f5061728394a5b6c7d8e9f00112233";

    /// <summary>A device of the other tenant (fabrikam, the dev-nolive token's): contoso's tokens never see it, nor it theirs.</summary>
    public const string FabrikamWindowsId = "fab1e5c0a9d84b7e8f6a5b4c3d2e1f0a9b8c7d6e";

    /// <summary>The tenant of everything seeded but <see cref="FabrikamWindowsId"/>.</summary>
    public const string Tenant = "contoso";

    public const string OtherTenant = "fabrikam";

    /// <summary>When the seeded devices were last seen; fixed, so filters on dates give the same answer on every run.</summary>
    public static readonly DateTime Seen = new(2025, 6, 2, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>A fresh copy of the fleet (EF Core tracks what it is given, so each database gets its own instances).</summary>
    public static IReadOnlyList<Machine> Machines => CreateMachines();

    private static List<Machine> CreateMachines() =>
    [
        M(HealthyWindowsId, "ws-fin-001.contoso.local", "Windows11", "22H2", 22621, "Active", "Medium", "Medium", 1, "10.8760.22621.2428",
            group: (101, "Finance"), tags: ["Finance", "VIP"], value: "High", ip: "10.1.0.11"),
        M(LiveResponseWindowsId, "ws-hr-002.contoso.local", "Windows10", "21H2", 19044, "Active", "Low", "Low", 2, "10.8560.19041.3636",
            group: (102, "HumanResources"), tags: ["HR"], ip: "10.1.0.12"),
        M(IsolatedWindowsId, "ws-eng-003.contoso.local", "Windows10", "22H2", 19045, "ImpairedCommunication", "High", "High", 30,
            "10.8760.19045.3570", group: (103, "Engineering"), tags: ["Engineering", "Quarantine"], ip: "10.1.0.13",
            isolation: IsolationStates.Isolated),
        M(DomainControllerId, "srv-dc-01.contoso.local", "WindowsServer2019", "1809", 17763, "Active", "High", "Medium", 0, "10.8210.17763.5122",
            group: (104, "Servers"), tags: ["Production", "DomainController"], value: "High", ip: "10.0.0.10"),
        M(WebServerId, "srv-web-02.contoso.local", "WindowsServer2022", "21H2", 20348, "Inactive", "None", "Low", 24 * 9, "10.8760.20348.2031",
            group: (104, "Servers"), tags: ["Production", "Web"], ip: "10.0.0.20"),
        M(LegacyAgentId, "ws-legacy-004.contoso.local", "Windows10", "1709", 16299, "Active", "Medium", "High", 5, "10.3720.16299.15",
            group: (103, "Engineering"), tags: ["Legacy"], value: "Low", ip: "10.1.0.14", arch: "32-bit"),
        M(LinuxId, "lnx-build-01.contoso.local", "Linux", "22.04", null, "Active", "Low", "Low", 3, "101.23082.0006",
            group: (105, "Linux"), tags: ["Build"], ip: "10.2.0.21", osVersion: "Ubuntu 22.04"),
        M(IsolatedLinuxId, "lnx-db-02.contoso.local", "Linux", "9.2", null, "NoSensorData", "Medium", "Medium", 72, "101.23052.0011",
            group: (105, "Linux"), tags: ["Production", "Database"], ip: "10.2.0.22", osVersion: "RHEL 9.2", isolation: IsolationStates.Isolated),
        M(MacId, "mac-design-01.contoso.local", "macOS", "14.1", null, "Active", "None", "None", 4, "101.23092.0012",
            group: (106, "Mac"), tags: ["Designers"], ip: "10.3.0.31", processor: "arm64"),
        M(InactiveMacId, "mac-exec-02.contoso.local", "macOS", "13.6", null, "Inactive", "High", "Medium", 24 * 20, "101.22122.0017",
            group: (106, "Mac"), tags: ["VIP"], value: "High", ip: "10.3.0.32", processor: "arm64"),
        M(SalesWindowsId, "ws-sales-005.contoso.local", "Windows11", "23H2", 22631, "Active", "Informational", "Low", 6, "10.8760.22631.2861",
            group: (107, "Sales"), tags: ["Sales"], ip: "10.1.0.15"),
        M(LabWindowsId, "ws-lab-006.contoso.local", "Windows10", "22H2", 19045, "Active", "Low", "None", 7, "10.8760.19045.4046",
            group: (108, "Lab"), tags: ["Lab", "Test Tag"], value: "Low", ip: "10.1.0.16"),
        M(UnmanagedDeviceId, "ws-byod-007.contoso.local", "Windows10", "22H2", 19045, "Unknown", null, null, 12, "",
            group: null, tags: [], ip: "10.9.0.77", onboarding: OnboardingStatuses.CanBeOnboarded),
        M(ResponderWindowsId, "ws-soc-008.contoso.local", "Windows11", "23H2", 22631, "Active", "Low", "Low", 1, "10.8760.22631.3447",
            group: (109, "SecurityOperations"), tags: ["SOC", "Lab"], ip: "10.1.0.18"),
    ];

    /// <summary>Adds the fleet and a few indicators when the database is new; an existing database is kept as it is.</summary>
    public static void EnsureSeeded(SampleDbContext db)
    {
        db.Database.EnsureCreated();
        if (db.Machines.IgnoreQueryFilters().Any())
        {
            return;
        }

        foreach (var machine in CreateMachines())
        {
            db.Add(machine).Property(SampleDbContext.TenantColumn).CurrentValue = Tenant;
        }

        var fabrikam = M(FabrikamWindowsId, "ws-fab-001.fabrikam.local", "Windows11", "23H2", 22631, "Active", "Low", "Low", 2, "10.8760.22631.3447",
            group: (201, "Fabrikam"), tags: ["Fabrikam"], ip: "10.50.0.11");
        db.Add(fabrikam).Property(SampleDbContext.TenantColumn).CurrentValue = OtherTenant;
        foreach (var action in CreateActions())
        {
            db.Add(action).Property(SampleDbContext.TenantColumn).CurrentValue = Tenant;
        }

        using var transaction = db.Database.BeginTransaction();
        try
        {
            db.SaveChanges();

            // One at a time, so the database numbers them in order.
            foreach (var indicator in CreateIndicators())
            {
                db.Add(indicator).Property(SampleDbContext.TenantColumn).CurrentValue = Tenant;
                db.SaveChanges();
            }

            transaction.Commit();
        }
        catch (DbUpdateException exception) when (SampleDatabase.IsUniqueViolation(exception))
        {
            // Another instance on the same server database seeded it first.
        }
    }

    // Numbered 1 to 5 by the database, in this order.
    private static Indicator[] CreateIndicators() =>
    [
        I("44d88612fea8a8f36de82e1278abb02f", "FileMd5", "AlertAndBlock", "EICAR test file", "The EICAR anti-malware test file.", "High"),
        I("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f", "FileSha256", "AlertAndBlock", "EICAR test file",
            "The EICAR anti-malware test file.", "High"),
        I("malware.contoso-bad.example", "DomainName", "Block", "Known C2 domain", "Command and control seen in incident 4711.", "Medium"),
        I("203.0.113.66", "IpAddress", "Audit", "Scanner", "Port scans from a documentation range.", "Low"),
        I("https://phish.contoso-bad.example/login", "Url", "Warn", "Phishing page", "Credential phishing.", "Medium"),
    ];

    /// <summary>
    /// Finished actions from before the sample started: the three of Defender's "List MachineActions" example (same ids, types and
    /// order) on ws-fin-001, and the isolations of the two isolated machines.
    /// </summary>
    private static List<MachineAction> CreateActions() =>
    [
        A("69dc3630-1ccc-4342-acf3-35286eec741d", MachineActionTypes.CollectInvestigationPackage, null, "Analyst@contoso.com", "test",
            HealthyWindowsId, "ws-fin-001.contoso.local", Seen.AddDays(-10).AddMinutes(43).AddSeconds(57)),
        A("2e9da30d-27f6-4208-81f2-9cd3d67893ba", MachineActionTypes.RunAntiVirusScan, "Full", "Analyst@contoso.com",
            "Check machine for viruses due to alert 3212", HealthyWindowsId, "ws-fin-001.contoso.local", Seen.AddDays(-10).AddMinutes(18).AddSeconds(27)),
        A("44cffc15-0e3d-4cbf-96aa-bf76f9b27f5e", MachineActionTypes.StopAndQuarantineFile, null, "Analyst@contoso.com", "test",
            HealthyWindowsId, "ws-fin-001.contoso.local", Seen.AddDays(-10).AddMinutes(15).AddSeconds(40),
            new RelatedFileInfo { FileIdentifier = "a0c659857ccbe457fdaf5fe21d54efdcbf6f6508", FileIdentifierType = "Sha1" }),
        A("5382f7ea-7557-4ab7-9782-d50480024a4e", MachineActionTypes.Isolate, "Selective", "Analyst@contoso.com", "Isolate machine due to alert 1234",
            IsolatedWindowsId, "ws-eng-003.contoso.local", Seen.AddDays(-2)),
        A("7d4b1b2e-0c43-4f38-9d0e-3f8a6c2b9e11", MachineActionTypes.Isolate, "Full", "soar@contoso.com", "Contain incident 4711",
            IsolatedLinuxId, "lnx-db-02.contoso.local", Seen.AddDays(-3)),
    ];

    private static MachineAction A(string id, string type, string? scope, string requestor, string comment, string machineId, string dnsName,
        DateTime created, RelatedFileInfo? file = null) => new()
    {
        Id = id,
        Type = type,
        Scope = scope,
        Requestor = requestor,
        RequestSource = requestor,
        RequestorComment = comment,
        Status = MachineActionStatuses.Succeeded,
        MachineId = machineId,
        ComputerDnsName = dnsName,
        CreationDateTimeUtc = created,
        LastUpdateDateTimeUtc = created.AddSeconds(30),
        RelatedFileInfo = file,
    };

    private static Machine M(string id, string dnsName, string platform, string version, long? osBuild, string health, string? risk,
        string? exposure, int hoursAgo, string agentVersion, (long Id, string Name)? group, List<string> tags, string ip,
        string value = "Normal", string isolation = IsolationStates.NotIsolated, string? osVersion = null, string arch = "64-bit",
        string processor = "x64", string onboarding = OnboardingStatuses.Onboarded)
    {
        var unmanaged = onboarding != OnboardingStatuses.Onboarded;
        return new Machine
        {
            Id = id,
            ComputerDnsName = dnsName,
            FirstSeen = Seen.AddDays(-400).AddHours(-hoursAgo),
            LastSeen = Seen.AddHours(-hoursAgo),
            OsPlatform = platform,
            OnboardingStatus = onboarding,
            OsProcessor = processor,
            Version = version,
            OsBuild = osBuild,
            LastIpAddress = ip,
            LastExternalIpAddress = unmanaged ? null : "203.0.113." + (100 + int.Parse(ip[(ip.LastIndexOf('.') + 1)..], System.Globalization.CultureInfo.InvariantCulture)),
            HealthStatus = health,
            RbacGroupId = group?.Id,
            RbacGroupName = group?.Name,
            RiskScore = risk,
            ExposureLevel = exposure,
            IsAadJoined = !unmanaged && platform.StartsWith("Windows", StringComparison.Ordinal),
            AadDeviceId = unmanaged || !platform.StartsWith("Windows", StringComparison.Ordinal) ? null : DeviceGuid(id),
            MachineTags = tags,
            DeviceValue = unmanaged ? null : value,
            IpAddresses = [new MachineIpAddress { IpAddress = ip, MacAddress = Mac(id), OperationalStatus = "Up" }],
            OsArchitecture = arch,
            OsVersion = osVersion ?? version,
            AgentVersion = agentVersion,
            IsolationState = isolation,
        };
    }

    // Stable values derived from the id, so every run and every database agrees on them.
    private static Guid DeviceGuid(string id) => Guid.ParseExact(id[..32], "N");

    private static string Mac(string id) => id[..12].ToUpperInvariant();

    private static Indicator I(string value, string type, string action, string title, string description, string severity) => new()
    {
        IndicatorValue = value,
        IndicatorType = type,
        Action = action,
        Title = title,
        Description = description,
        Severity = severity,
        Source = "seed",
        SourceType = "User",
        CreatedBySource = "seed",
        CreationTimeDateTimeUtc = Seen.AddDays(-10),
        LastUpdateTime = Seen.AddDays(-10),
        CreatedBy = "seed",
        GenerateAlert = action is "Alert" or "AlertAndBlock",
    };
}
