namespace Defender.SampleApi.Data;

/// <summary>A response action on a machine, shaped like Defender's MachineAction entity.</summary>
internal sealed class MachineAction
{
    public string Id { get; set; } = "";

    public string Type { get; set; } = "";

    public string Requestor { get; set; } = "";

    public string RequestorComment { get; set; } = "";

    public string Status { get; set; } = "";

    public string MachineId { get; set; } = "";

    public string ComputerDnsName { get; set; } = "";

    public DateTime CreationDateTimeUtc { get; set; }

    public DateTime LastUpdateDateTimeUtc { get; set; }
}

internal static class MachineActionTypes
{
    public const string Isolate = "Isolate";
    public const string Unisolate = "Unisolate";
    public const string LiveResponse = "LiveResponse";
}

internal static class MachineActionStatuses
{
    public const string Pending = "Pending";
    public const string Succeeded = "Succeeded";
}
