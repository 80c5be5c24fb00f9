using System.Text.Json;
using System.Text.Json.Serialization;
using Defender.SampleApi.Data;

namespace Defender.SampleApi.Json;

/// <summary>Source-generated JSON for every body the sample reads or writes (no reflection at run time).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(IsolateRequest))]
[JsonSerializable(typeof(UnisolateRequest))]
[JsonSerializable(typeof(CommentRequest))]
[JsonSerializable(typeof(AntivirusScanRequest))]
[JsonSerializable(typeof(CancelRequest))]
[JsonSerializable(typeof(LiveResponseRequest))]
[JsonSerializable(typeof(IndicatorRequest))]
[JsonSerializable(typeof(ImportIndicatorsRequest))]
[JsonSerializable(typeof(Machine))]
[JsonSerializable(typeof(MachineAction))]
[JsonSerializable(typeof(Indicator))]
[JsonSerializable(typeof(ODataCollection<Machine>))]
[JsonSerializable(typeof(ODataCollection<Indicator>))]
[JsonSerializable(typeof(ODataCollection<ImportIndicatorResult>))]
[JsonSerializable(typeof(ODataCollection<MachineAction>))]
[JsonSerializable(typeof(ODataValue<string>))]
[JsonSerializable(typeof(ScriptTranscript))]
[JsonSerializable(typeof(List<MachineIpAddress>))]
[JsonSerializable(typeof(List<LiveResponseCommandResult>))]
[JsonSerializable(typeof(RelatedFileInfo))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
