namespace Defender.SampleApi.Data;

/// <summary>
/// A device, shaped like Defender's Machine entity: today's documented properties, and the 2018 ones (<c>osVersion</c>,
/// <c>agentVersion</c>, <c>isolationState</c>) that older clients still read.
/// </summary>
/// <remarks>
/// Entities have no <c>required</c> members: the request validation claims such types in the JSON options to check bodies,
/// and the OData model reads the same options to learn the property names.
/// </remarks>
internal sealed class Machine
{
    public string Id { get; set; } = "";

    public string ComputerDnsName { get; set; } = "";

    public DateTime FirstSeen { get; set; }

    public DateTime LastSeen { get; set; }

    public string OsPlatform { get; set; } = "";

    /// <summary><c>Onboarded</c>, <c>CanBeOnboarded</c>, <c>Unsupported</c> or <c>InsufficientInfo</c>.</summary>
    public string OnboardingStatus { get; set; } = OnboardingStatuses.Onboarded;

    /// <summary>Deprecated by Defender in favour of <see cref="OsArchitecture"/>; still sent.</summary>
    public string? OsProcessor { get; set; }

    /// <summary>The operating system version, e.g. <c>22H2</c> or <c>1709</c>.</summary>
    public string? Version { get; set; }

    public long? OsBuild { get; set; }

    public string? LastIpAddress { get; set; }

    public string? LastExternalIpAddress { get; set; }

    /// <summary><c>Active</c>, <c>Inactive</c>, <c>ImpairedCommunication</c>, <c>NoSensorData</c>, <c>NoSensorDataImpairedCommunication</c> or <c>Unknown</c>.</summary>
    public string HealthStatus { get; set; } = "";

    public string? RbacGroupName { get; set; }

    /// <summary>A number on the wire, as Defender's examples show it (<c>"rbacGroupId": 140</c>).</summary>
    public long? RbacGroupId { get; set; }

    /// <summary><c>None</c>, <c>Informational</c>, <c>Low</c>, <c>Medium</c> or <c>High</c>.</summary>
    public string? RiskScore { get; set; }

    /// <summary><c>None</c>, <c>Low</c>, <c>Medium</c> or <c>High</c>.</summary>
    public string? ExposureLevel { get; set; }

    public bool IsAadJoined { get; set; }

    public Guid? AadDeviceId { get; set; }

    public List<string> MachineTags { get; set; } = [];

    /// <summary><c>Normal</c>, <c>Low</c> or <c>High</c>.</summary>
    public string? DeviceValue { get; set; }

    public List<MachineIpAddress> IpAddresses { get; set; } = [];

    /// <summary><c>32-bit</c> or <c>64-bit</c>.</summary>
    public string? OsArchitecture { get; set; }

    /// <summary>The 2018 name of the OS version; Defender's <see cref="Version"/> replaced it.</summary>
    public string OsVersion { get; set; } = "";

    /// <summary>The sensor (agent) version; the response actions check it against their minimum.</summary>
    public string AgentVersion { get; set; } = "";

    public string IsolationState { get; set; } = IsolationStates.NotIsolated;
}

/// <summary>One network interface address of a machine, as Defender's <c>ipAddresses</c> items carry it.</summary>
internal sealed class MachineIpAddress
{
    public string IpAddress { get; set; } = "";

    public string? MacAddress { get; set; }

    /// <summary><c>Up</c>, <c>Down</c>, …</summary>
    public string OperationalStatus { get; set; } = "Up";
}

/// <summary>The values Defender uses; kept as strings so OData filters compare them as the wire shows them.</summary>
internal static class IsolationStates
{
    public const string NotIsolated = "NotIsolated";
    public const string Isolated = "Isolated";
}

internal static class OnboardingStatuses
{
    public const string Onboarded = "Onboarded";
    public const string CanBeOnboarded = "CanBeOnboarded";
}
