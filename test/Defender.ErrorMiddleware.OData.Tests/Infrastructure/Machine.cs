using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Defender.ErrorMiddleware.OData.Tests.Infrastructure;

public enum HealthStatus
{
    Active,
    Inactive,
    ImpairedCommunication,
}

[Flags]
public enum MachineCapability
{
    None = 0,
    Isolate = 1,
    Scan = 2,
    Collect = 4,
}

/// <summary>A Defender-like machine; serialized camelCase with string enums, as the test apps configure.</summary>
public sealed class Machine
{
    public int Id { get; set; }

    // required: the core's request-body check claims such types in the JSON options; the EDM model must still see them.
    public required string ComputerDnsName { get; set; }

    public string? OsPlatform { get; set; }

    public HealthStatus HealthStatus { get; set; }

    public double RiskScore { get; set; }

    public int? ExposureScore { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public DateTime FirstSeen { get; set; }

    public bool IsAadJoined { get; set; }

    [JsonPropertyName("rbacGroupName")]
    public string? GroupName { get; set; }

    public MachineCapability Capabilities { get; set; }

    /// <summary>Defender's machineTags: a collection of strings, stored by EF Core as a JSON column and queried with json_each.</summary>
    public List<string> MachineTags { get; set; } = [];

    /// <summary>A navigation property, for $expand.</summary>
    public List<Alert> Alerts { get; set; } = [];

    [JsonIgnore]
    public string Secret { get; set; } = "hidden";
}

/// <summary>An alert raised on a machine.</summary>
public sealed class Alert
{
    public int Id { get; set; }

    public int MachineId { get; set; }

    public string Title { get; set; } = "";

    public string Severity { get; set; } = "";

    /// <summary>Back to the machine: lets $expand nest (alerts($expand=machine($expand=alerts))) past the depth limit.</summary>
    [JsonIgnore]
    public Machine? Machine { get; set; }
}

public sealed class MachineDb(DbContextOptions<MachineDb> options) : DbContext(options)
{
    public DbSet<Machine> Machines => Set<Machine>();

    public DbSet<Alert> Alerts => Set<Alert>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // SQLite has no DateTimeOffset type: EF Core's documented workaround stores it as a sortable integer.
        modelBuilder.Entity<Machine>().Property(m => m.LastSeen).HasConversion(new DateTimeOffsetToBinaryConverter());
        modelBuilder.Entity<Machine>().Property(m => m.Id).ValueGeneratedNever();
        modelBuilder.Entity<Machine>().Ignore(m => m.Secret);
        modelBuilder.Entity<Alert>().Property(a => a.Id).ValueGeneratedNever();
    }

    public static IReadOnlyList<Machine> Seed() =>
    [
        new() { Id = 1, MachineTags = ["vip", "finance"], Alerts = [new() { Id = 11, Title = "Suspicious PowerShell", Severity = "High" }, new() { Id = 12, Title = "Port scan", Severity = "Low" }], ComputerDnsName = "alpha.contoso.com", OsPlatform = "Windows10", HealthStatus = HealthStatus.Active, RiskScore = 10.5,
            ExposureScore = 30, LastSeen = At("2024-01-10T08:00:00Z"), FirstSeen = Utc("2020-01-01T00:00:00Z"), IsAadJoined = true, GroupName = "Finance",
            Capabilities = MachineCapability.Isolate | MachineCapability.Scan },
        new() { Id = 2, MachineTags = ["finance"], ComputerDnsName = "beta.contoso.com", OsPlatform = "Windows11", HealthStatus = HealthStatus.Inactive, RiskScore = 55,
            ExposureScore = null, LastSeen = At("2024-02-15T12:30:00Z"), FirstSeen = Utc("2021-06-15T00:00:00Z"), IsAadJoined = false, GroupName = "Finance",
            Capabilities = MachineCapability.Scan },
        new() { Id = 3, MachineTags = ["linux", "vip"], Alerts = [new() { Id = 31, Title = "Miner", Severity = "Medium" }], ComputerDnsName = "gamma.fabrikam.com", OsPlatform = "Linux", HealthStatus = HealthStatus.Active, RiskScore = 80.25,
            ExposureScore = 75, LastSeen = At("2024-03-01T00:00:00Z"), FirstSeen = Utc("2022-03-01T00:00:00Z"), IsAadJoined = true, GroupName = null,
            Capabilities = MachineCapability.Isolate | MachineCapability.Scan | MachineCapability.Collect },
        new() { Id = 4, MachineTags = [], ComputerDnsName = "delta.fabrikam.com", OsPlatform = null, HealthStatus = HealthStatus.ImpairedCommunication, RiskScore = 0,
            ExposureScore = 10, LastSeen = At("2023-12-31T23:59:59Z"), FirstSeen = Utc("2023-01-01T00:00:00Z"), IsAadJoined = false, GroupName = "IT",
            Capabilities = MachineCapability.None },
        new() { Id = 5, MachineTags = ["vip"], ComputerDnsName = "epsilon.contoso.com", OsPlatform = "Windows10", HealthStatus = HealthStatus.Active, RiskScore = 99.9,
            ExposureScore = 90, LastSeen = At("2024-05-20T16:45:00+02:00"), FirstSeen = Utc("2023-07-04T00:00:00Z"), IsAadJoined = true, GroupName = "IT",
            Capabilities = MachineCapability.Collect },
        new() { Id = 6, MachineTags = ["mac"], ComputerDnsName = "zeta.local", OsPlatform = "macOS", HealthStatus = HealthStatus.Inactive, RiskScore = 42,
            ExposureScore = 42, LastSeen = At("2024-04-01T10:00:00Z"), FirstSeen = Utc("2024-01-01T00:00:00Z"), IsAadJoined = false, GroupName = "Sales",
            Capabilities = MachineCapability.Isolate },
    ];

    private static DateTimeOffset At(string value) => DateTimeOffset.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

    private static DateTime Utc(string value) => At(value).UtcDateTime;
}
