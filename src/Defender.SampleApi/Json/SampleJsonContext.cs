using System.Text.Json;
using System.Text.Json.Serialization;
using Defender.SampleApi.Data;

namespace Defender.SampleApi.Json;

/// <summary>Source-generated JSON for every body the sample reads or writes (no reflection at run time).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(IsolateRequest))]
[JsonSerializable(typeof(UnisolateRequest))]
[JsonSerializable(typeof(LiveResponseRequest))]
[JsonSerializable(typeof(IndicatorRequest))]
[JsonSerializable(typeof(ImportIndicatorsRequest))]
[JsonSerializable(typeof(Machine))]
[JsonSerializable(typeof(MachineAction))]
[JsonSerializable(typeof(Indicator))]
[JsonSerializable(typeof(ODataCollection<Machine>))]
[JsonSerializable(typeof(ODataCollection<Indicator>))]
[JsonSerializable(typeof(ODataCollection<ImportIndicatorResult>))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
